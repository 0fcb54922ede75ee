"""Reads of the submission history (报送记录) and of the review queue, cached per data version."""
from __future__ import annotations

from db import submission_reads
from services.cache import cached

submission_history = cached(submission_reads.submission_history)
submission_values = cached(submission_reads.submission_values)
submission_progress = cached(submission_reads.submission_progress)
live_submission_for_sha = cached(submission_reads.live_submission_for_sha)
