"""Custom actions: a job worker loop polls, acknowledges and answers; the action waits for it."""

import io
import zipfile

from actions_kit import details, latest_execution, pipeline
from builders import action

TYPE = {"category": "Build", "owner": "Custom", "provider": "JenkinsBuild", "version": "1"}


def create_type(lab):
    return lab.client("codepipeline").create_custom_action_type(
        category="Build", provider="JenkinsBuild", version="1",
        configurationProperties=[{"name": "ProjectName", "required": True, "key": True, "secret": False, "queryable": True}],
        inputArtifactDetails={"minimumCount": 1, "maximumCount": 1}, outputArtifactDetails={"minimumCount": 0, "maximumCount": 1})


def jenkins_pipeline(role):
    return pipeline(role, {"name": "Build", "actions": [action("Jenkins", "Build", "JenkinsBuild", owner="Custom", inputs=["SourceOutput"],
                                                                outputs=["JenkinsOutput"], configuration={"ProjectName": "app"})]})


def work_once(lab, succeed=True):
    """One pass of a worker loop, as a learner would write it."""
    codepipeline, s3 = lab.client("codepipeline"), lab.client("s3")
    jobs = codepipeline.poll_for_jobs(actionTypeId=TYPE, maxBatchSize=1, queryParam={"ProjectName": "app"})["jobs"]
    for job in jobs:
        codepipeline.acknowledge_job(jobId=job["id"], nonce=job["nonce"])
        data = codepipeline.get_job_details(jobId=job["id"])["jobDetails"]["data"]
        if not succeed:
            codepipeline.put_job_failure_result(jobId=job["id"], failureDetails={"type": "JobFailed", "message": "Jenkins build #7 failed"})
            continue
        source = data["inputArtifacts"][0]["location"]["s3Location"]
        code = s3.get_object(Bucket=source["bucketName"], Key=source["objectKey"])["Body"].read()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("report.txt", f"built {len(code)} bytes")
        target = data["outputArtifacts"][0]["location"]["s3Location"]
        s3.put_object(Bucket=target["bucketName"], Key=target["objectKey"], Body=buffer.getvalue())
        codepipeline.put_job_success_result(jobId=job["id"], executionDetails={"summary": "Jenkins build #7", "externalExecutionId": "7"},
                                            outputVariables={"BuildNumber": "7"})
    return len(jobs)


def test_custom_action_waits_for_a_worker_and_completes(lab, role):
    create_type(lab)
    assert any(t["id"] == TYPE for t in lab.client("codepipeline").list_action_types(actionOwnerFilter="Custom")["actionTypes"])
    lab.client("codepipeline").create_pipeline(pipeline=jenkins_pipeline(role))
    lab.run()
    assert details(lab)["Jenkins"]["status"] == "InProgress"
    assert work_once(lab) == 1
    lab.run()
    jenkins = details(lab)["Jenkins"]
    assert jenkins["status"] == "Succeeded" and jenkins["output"]["outputVariables"] == {"BuildNumber": "7"}
    assert jenkins["output"]["executionResult"]["externalExecutionSummary"] == "Jenkins build #7"
    assert latest_execution(lab)["status"] == "Succeeded"
    assert work_once(lab) == 0


def test_worker_failure_fails_the_action(lab, role):
    create_type(lab)
    lab.client("codepipeline").create_pipeline(pipeline=jenkins_pipeline(role))
    lab.run()
    work_once(lab, succeed=False)
    assert details(lab)["Jenkins"]["output"]["executionResult"]["errorDetails"] == {"code": "JobFailed", "message": "Jenkins build #7 failed"}


def test_acknowledge_with_a_wrong_nonce_is_refused(lab, role):
    create_type(lab)
    lab.client("codepipeline").create_pipeline(pipeline=jenkins_pipeline(role))
    lab.run()
    codepipeline = lab.client("codepipeline")
    job = codepipeline.poll_for_jobs(actionTypeId=TYPE)["jobs"][0]
    try:
        codepipeline.acknowledge_job(jobId=job["id"], nonce="wrong")
    except codepipeline.exceptions.InvalidNonceException:
        pass
    else:
        raise AssertionError("a wrong nonce was accepted")
