"""The permissions policies AWS documents for the roles of a pipeline (facts §I1, §I4).

``CODEPIPELINE_SERVICE_ROLE`` is the per-provider policy of AWS's documentation (the
2019–2023 console default, "AWS-CodePipeline-Service-3"): with it every provider the
simulator runs can run. ``docs/simulation-notes.md`` lists what each provider calls.
"""

from __future__ import annotations


def _allow(actions: list[str], resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


CODEPIPELINE_SERVICE_ROLE = {
    "Version": "2012-10-17",
    "Statement": [
        _allow(["iam:PassRole"], Condition={"StringEqualsIfExists": {"iam:PassedToService": [
            "cloudformation.amazonaws.com", "elasticbeanstalk.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]}}),
        _allow(["codecommit:CancelUploadArchive", "codecommit:GetBranch", "codecommit:GetCommit", "codecommit:GetRepository",
                "codecommit:GetUploadArchiveStatus", "codecommit:UploadArchive"]),
        _allow(["codedeploy:CreateDeployment", "codedeploy:GetApplication", "codedeploy:GetApplicationRevision",
                "codedeploy:GetDeployment", "codedeploy:GetDeploymentConfig", "codedeploy:RegisterApplicationRevision"]),
        _allow(["codestar-connections:UseConnection"]),
        _allow(["elasticbeanstalk:*", "ec2:*", "elasticloadbalancing:*", "autoscaling:*", "cloudwatch:*", "s3:*", "sns:*",
                "cloudformation:*", "rds:*", "sqs:*", "ecs:*"]),
        _allow(["lambda:InvokeFunction", "lambda:ListFunctions"]),
        _allow(["codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:BatchGetBuildBatches", "codebuild:StartBuildBatch"]),
        _allow(["ecr:DescribeImages"]),
        _allow(["states:DescribeExecution", "states:DescribeStateMachine", "states:StartExecution"]),
    ],
}

# The CodeBuild guide's baseline for a project's service role, widened to any bucket and log group.
CODEBUILD_SERVICE_ROLE = {
    "Version": "2012-10-17",
    "Statement": [
        _allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]),
        _allow(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketAcl", "s3:GetBucketLocation"]),
    ],
}

# A Lambda function that CodePipeline invokes: write its logs and report the job's result.
LAMBDA_EXECUTION_ROLE = {
    "Version": "2012-10-17",
    "Statement": [
        _allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]),
        _allow(["codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"]),
    ],
}

# An EventBridge rule that starts pipelines.
EVENTS_START_PIPELINE = {
    "Version": "2012-10-17",
    "Statement": [_allow(["codepipeline:StartPipelineExecution"])],
}

BY_SERVICE = {
    "codepipeline.amazonaws.com": CODEPIPELINE_SERVICE_ROLE,
    "codebuild.amazonaws.com": CODEBUILD_SERVICE_ROLE,
    "lambda.amazonaws.com": LAMBDA_EXECUTION_ROLE,
    "events.amazonaws.com": EVENTS_START_PIPELINE,
}
