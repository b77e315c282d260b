import io
import json
import zipfile

from codepipeline_lab.setup_helpers import create_bucket

from triggers_kit import pipeline, rule_to_pipeline, s3_source, triggers
from builders import action

S3_CREATED = {"source": ["aws.s3"], "detail-type": ["Object Created"],
              "detail": {"bucket": {"name": ["source-bucket"]}, "object": {"key": ["app.zip"]}}}
S3_CLOUDTRAIL = {"source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"],
                 "detail": {"eventSource": ["s3.amazonaws.com"],
                            "eventName": ["PutObject", "CompleteMultipartUpload", "CopyObject"],
                            "requestParameters": {"bucketName": ["source-bucket"], "key": ["app.zip"]}}}


def _s3_pipeline(lab, role):
    create_bucket(lab, "source-bucket", versioned=True)
    lab.client("s3").put_object(Bucket="source-bucket", Key="app.zip", Body=b"one")
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, s3_source()))
    lab.run()


def _newest_revision(lab):
    summary = lab.client("codepipeline").list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]
    return summary["sourceRevisions"][0]["revisionId"]


def test_an_s3_eventbridge_notification_starts_the_pipeline(lab, account):
    _s3_pipeline(lab, account)
    s3 = lab.client("s3")
    s3.put_bucket_notification_configuration(Bucket="source-bucket", NotificationConfiguration={"EventBridgeConfiguration": {}})
    rule_to_pipeline(lab, "on-upload", S3_CREATED)
    version = s3.put_object(Bucket="source-bucket", Key="app.zip", Body=b"two")["VersionId"]
    s3.put_object(Bucket="source-bucket", Key="other.zip", Body=b"x")      # another key: no match
    lab.run()
    assert triggers(lab) == ["CreatePipeline", "CloudWatchEvent"]
    assert _newest_revision(lab) == version
    [event] = [e for e in lab.account.s3_events.emitted if e["detail"]["object"]["key"] == "app.zip"]
    assert event["detail-type"] == "Object Created"
    assert event["detail"]["object"]["version-id"] == version
    assert event["detail"]["bucket"] == {"name": "source-bucket"} and event["detail"]["reason"] == "PutObject"


def test_without_eventbridge_notifications_or_a_trail_nothing_starts(lab, account):
    _s3_pipeline(lab, account)
    rule_to_pipeline(lab, "on-upload", S3_CREATED)
    rule_to_pipeline(lab, "on-trail", S3_CLOUDTRAIL)
    lab.client("s3").put_object(Bucket="source-bucket", Key="app.zip", Body=b"two")
    lab.run()
    assert triggers(lab) == ["CreatePipeline"]


def test_a_trail_logging_s3_data_events_starts_the_pipeline(lab, account):
    _s3_pipeline(lab, account)
    create_bucket(lab, "trail-logs")
    ct = lab.client("cloudtrail")
    ct.create_trail(Name="s3-writes", S3BucketName="trail-logs")
    ct.put_event_selectors(TrailName="s3-writes", EventSelectors=[{
        "ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::source-bucket/app.zip"]}]}])
    ct.start_logging(Name="s3-writes")
    rule_to_pipeline(lab, "on-trail", S3_CLOUDTRAIL)
    version = lab.client("s3").put_object(Bucket="source-bucket", Key="app.zip", Body=b"two")["VersionId"]
    lab.run()
    assert triggers(lab) == ["CreatePipeline", "CloudWatchEvent"]
    assert _newest_revision(lab) == version
    [event] = [e for e in lab.account.s3_events.emitted if e["detail-type"] == "AWS API Call via CloudTrail"]
    assert event["detail"]["eventName"] == "PutObject"
    assert event["detail"]["requestParameters"]["bucketName"] == "source-bucket"


def test_a_trail_that_is_not_logging_sends_nothing(lab, account):
    _s3_pipeline(lab, account)
    create_bucket(lab, "trail-logs")
    ct = lab.client("cloudtrail")
    ct.create_trail(Name="s3-writes", S3BucketName="trail-logs")
    ct.put_event_selectors(TrailName="s3-writes", EventSelectors=[{
        "ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::source-bucket/"]}]}])
    rule_to_pipeline(lab, "on-trail", S3_CLOUDTRAIL)
    lab.client("s3").put_object(Bucket="source-bucket", Key="app.zip", Body=b"two")
    lab.run()
    assert triggers(lab) == ["CreatePipeline"]


def _manifest(layer: str) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                                  "digest": "sha256:" + "a" * 64},
                       "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                                   "digest": "sha256:" + layer * 64}]})


def test_an_ecr_push_starts_the_pipeline_and_the_source_writes_image_detail(lab, account):
    ecr = lab.client("ecr")
    ecr.create_repository(repositoryName="web")
    ecr.put_image(repositoryName="web", imageManifest=_manifest("b"), imageTag="latest")
    source = action("Source", "Source", "ECR", outputs=["Image"], configuration={"RepositoryName": "web"}, namespace="Img")
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=pipeline(account, source))
    lab.run()
    rule_to_pipeline(lab, "on-push", {"source": ["aws.ecr"], "detail-type": ["ECR Image Action"],
                                      "detail": {"action-type": ["PUSH"], "image-tag": ["latest"],
                                                 "repository-name": ["web"], "result": ["SUCCESS"]}})
    digest = ecr.put_image(repositoryName="web", imageManifest=_manifest("c"), imageTag="latest")["image"]["imageId"]["imageDigest"]
    ecr.put_image(repositoryName="web", imageManifest=_manifest("d"), imageTag="v2")     # another tag: no match
    lab.run()
    assert triggers(lab) == ["CreatePipeline", "CloudWatchEvent"]
    newest = cp.list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]
    assert newest["sourceRevisions"][0]["revisionId"] == digest
    run = [a for a in cp.list_action_executions(pipelineName="demo")["actionExecutionDetails"]
           if a["actionName"] == "Source" and a["pipelineExecutionId"] == newest["pipelineExecutionId"]][0]
    uri = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/web@{digest}"
    assert run["output"]["outputVariables"] == {"RegistryId": "123456789012", "RepositoryName": "web", "ImageTag": "latest",
                                                "ImageDigest": digest, "ImageURI": uri}
    location = run["output"]["outputArtifacts"][0]["s3location"]
    body = lab.client("s3").get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
    detail = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("imageDetail.json"))
    assert detail["ImageURI"] == uri and detail["ImageDigest"] == digest and detail["ImageTags"] == ["latest"]
    assert detail["Version"] == "1.0" and isinstance(detail["ImageSizeInBytes"], str)
