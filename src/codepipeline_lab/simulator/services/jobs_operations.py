"""CodePipeline's job operations (job workers and Lambda functions answer through them) and the
custom action type operations, in AWS's request and response shapes."""

from __future__ import annotations

from botocore.exceptions import ClientError

from codepipeline_lab.simulator import action_types, errors
from codepipeline_lab.simulator.services.jobs import DISPATCHED, FAILED, IN_PROGRESS, QUEUED, SUCCEEDED
from codepipeline_lab.simulator.params import required

FAILURE_TYPES = ("JobFailed", "ConfigurationError", "PermissionError", "RevisionOutOfSync", "RevisionUnavailable", "SystemUnavailable")


def _type_key(type_id: dict) -> tuple:
    return (type_id.get("owner"), type_id.get("category"), type_id.get("provider"), type_id.get("version"))


def jobs_operations(account) -> dict:
    store = account.jobs

    def job_of(params) -> object:
        record = store.jobs.get(required(params, "jobId"))
        if record is None:
            raise errors.JobNotFoundException(f"Job {params['jobId']} was not found")
        return record

    def poll_for_jobs(params, ctx):
        type_id = required(params, "actionTypeId")
        key = _type_key(type_id)
        if key not in store.custom_types:
            raise errors.ActionTypeNotFoundException(f"Action type {'/'.join(str(k) for k in key)} was not found; create it with CreateCustomActionType")
        wanted = params.get("queryParam") or {}
        size = params.get("maxBatchSize") or 1
        jobs = []
        for record in store.jobs.values():
            if len(jobs) >= size:
                break
            configuration = record.data["actionConfiguration"]["configuration"]
            if (record.status == QUEUED and record.action_type == key and not record.action_job.ended
                    and all(configuration.get(k) == v for k, v in wanted.items())):
                record.status, record.nonce = DISPATCHED, account.lab.ids.hex(32)
                jobs.append({**record.shape(account.account_id), "nonce": record.nonce})
        return {"jobs": jobs}

    def acknowledge_job(params, ctx):
        record = job_of(params)
        if required(params, "nonce") != record.nonce:
            raise errors.InvalidNonceException(f"The nonce {params['nonce']} does not match job {record.id}")
        if record.status == DISPATCHED:
            record.status = IN_PROGRESS
        return {"status": record.status}

    def get_job_details(params, ctx):
        return {"jobDetails": job_of(params).shape(account.account_id)}

    def answerable(record) -> None:
        if record.status not in (DISPATCHED, IN_PROGRESS) or record.action_job.ended:
            raise errors.InvalidJobStateException(f"Job {record.id} is {record.status if not record.action_job.ended else 'no longer in progress'} and cannot take a result")

    def put_job_success_result(params, ctx):
        record = job_of(params)
        answerable(record)
        record.status = SUCCEEDED
        _cancel_timer(record)
        job, details = record.action_job, params.get("executionDetails") or {}
        if params.get("continuationToken"):
            record.on_continue(record, params["continuationToken"]) if record.on_continue else None
            return {}
        missing = [ref for ref in record.outputs if not _exists(account, ref)]
        if missing:
            job.fail(f"The job worker reported success but did not upload output artifact {missing[0].name} "
                     f"to s3://{missing[0].bucket}/{missing[0].key}", "JobFailed")
            return {}
        job.run_record.outputs = list(record.outputs)
        job.succeed(summary=details.get("summary"), external_execution_id=details.get("externalExecutionId") or record.id,
                    output_variables=params.get("outputVariables"))
        return {}

    def put_job_failure_result(params, ctx):
        record = job_of(params)
        answerable(record)
        failure = required(params, "failureDetails")
        if failure.get("type") not in FAILURE_TYPES:
            raise errors.ValidationException(f"failureDetails.type must be one of {', '.join(FAILURE_TYPES)}")
        record.status = FAILED
        _cancel_timer(record)
        record.action_job.fail(failure.get("message", ""), failure["type"], external_execution_id=failure.get("externalExecutionId"))
        return {}

    def create_custom_action_type(params, ctx):
        category, provider, version = (required(params, k) for k in ("category", "provider", "version"))
        inputs, outputs = required(params, "inputArtifactDetails"), required(params, "outputArtifactDetails")
        properties = params.get("configurationProperties") or []
        key = ("Custom", category, provider, version)
        account.custom_action_types[key] = action_types.custom_action_type(
            category, provider, version, (inputs["minimumCount"], inputs["maximumCount"]),
            (outputs["minimumCount"], outputs["maximumCount"]),
            tuple(p["name"] for p in properties if p.get("required")), tuple(p["name"] for p in properties if not p.get("required")))
        shape = {"id": {"category": category, "owner": "Custom", "provider": provider, "version": version},
                 "settings": params.get("settings") or {}, "actionConfigurationProperties": properties,
                 "inputArtifactDetails": inputs, "outputArtifactDetails": outputs}
        store.custom_types[key] = shape
        return {"actionType": shape, "tags": params.get("tags") or []}

    def delete_custom_action_type(params, ctx):
        key = ("Custom", required(params, "category"), required(params, "provider"), required(params, "version"))
        store.custom_types.pop(key, None)
        account.custom_action_types.pop(key, None)
        return {}

    def list_action_types(params, ctx):
        owner = params.get("actionOwnerFilter")
        shapes = [_aws_type_shape(t) for t in action_types.ACTION_TYPES] + list(store.custom_types.values())
        return {"actionTypes": [s for s in shapes if owner in (None, s["id"]["owner"])]}

    handlers = (poll_for_jobs, acknowledge_job, get_job_details, put_job_success_result, put_job_failure_result,
                create_custom_action_type, delete_custom_action_type, list_action_types)
    return {f.__name__: f for f in handlers}


def _aws_type_shape(kind) -> dict:
    properties = [{"name": k, "required": k in kind.required, "key": False, "secret": False} for k in (*kind.required, *kind.optional)]
    return {"id": {"category": kind.category, "owner": kind.owner, "provider": kind.provider, "version": kind.version},
            "settings": {}, "actionConfigurationProperties": properties,
            "inputArtifactDetails": {"minimumCount": kind.inputs[0], "maximumCount": kind.inputs[1]},
            "outputArtifactDetails": {"minimumCount": kind.outputs[0], "maximumCount": kind.outputs[1]}}


def _cancel_timer(record) -> None:
    if record.timer is not None:
        record.timer.cancel()
        record.timer = None


def _exists(account, ref) -> bool:
    try:
        account.lab.client("s3", region_name=ref.region).head_object(Bucket=ref.bucket, Key=ref.key)
        return True
    except ClientError:
        return False
