"""Custom actions (any owner "Custom" type): the action waits, InProgress, until a job worker
polls for its job (PollForJobs), acknowledges it and reports a result (facts §A6)."""

from __future__ import annotations

from datetime import timedelta

from codepipeline_lab.simulator.actions.base import OWNER_PROVIDERS, Provider


class JobWorkerAction(Provider):
    owner = "Custom"
    duration = timedelta(0)

    def run(self, job) -> None:
        record = job.engine.account.jobs.create(job, "custom")
        record.on_continue = _queue_next


def _queue_next(record, token: str) -> None:
    """PutJobSuccessResult with a continuationToken: the action goes on with a new job."""
    jobs = record.action_job.engine.account.jobs
    jobs.create(record.action_job, "custom", continuation_token=token).on_continue = _queue_next


OWNER_PROVIDERS["Custom"] = JobWorkerAction()
