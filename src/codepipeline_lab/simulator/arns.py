"""ARN formats of CodePipeline's resources (facts §A7)."""


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def pipeline_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:{partition(region)}:codepipeline:{region}:{account_id}:{name}"


def action_arn(region: str, account_id: str, pipeline: str, stage: str, action: str) -> str:
    return f"{pipeline_arn(region, account_id, pipeline)}/{stage}/{action}"
