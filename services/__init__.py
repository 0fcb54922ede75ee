"""The application layer: the one door for screens (pages, components), the CLI and the warm-up.

- `services.submissions`: prepare → check → preview → commit of reports, review and undo, with the
  account re-checked inside every write's transaction (`services.identity`).
- read-models the pages show (`services.status`, `services.scoring`, ...), cached per data version by
  `services.cache`.
Services call `db/` (SQL and writes) and `core/` (pure logic); nothing below imports them.
"""

from services.plans import register as _register_plans

_register_plans()  # core.plan_context's default plan is the office's (services.plans.default_plan_id)
