#!/usr/bin/env bash
# The database tests again, on Debian's PostgreSQL at 127.0.0.1 (used by `make test-postgres` and CI).
# Installs and starts the server when it is not there yet; needs root for that, as CI has.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PGVER main" || pg_createcluster "$PGVER" main
pg_lsclusters -h | grep -q "^$PGVER main .* online" || pg_ctlcluster "$PGVER" main start
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zj_ci') THEN CREATE ROLE zj_ci LOGIN CREATEDB PASSWORD 'zj_ci'; END IF; END\\\$\\\$\""
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'zj_ci'\"" | grep -q 1 || su postgres -c "createdb -O zj_ci zj_ci"
# A local throwaway role on 127.0.0.1 only; not a credential of any deployment.
ZJ_TEST_DATABASE_URL=postgresql+psycopg://zj_ci:zj_ci@127.0.0.1:5432/zj_ci \
    .venv/bin/python -m pytest -q -p tests.pg_support -m "not browser" \
    tests/test_database.py tests/test_imports_db.py tests/test_concurrency.py tests/test_crash_safety.py \
    tests/test_page_admin.py::test_audit_log_filters_by_day_user_and_action tests/test_login_security.py \
    tests/test_migrations.py tests/test_current_values.py tests/test_services_submissions.py \
    tests/test_supervision.py tests/test_assessment_service.py tests/test_trust_db.py tests/test_plans_services.py
