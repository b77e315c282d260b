"""The rule types CodePipeline offers (facts §K3), in ListRuleTypes' shape, and the checks of a
rule's configuration that CreatePipeline/UpdatePipeline make with them."""

from __future__ import annotations


def _prop(name: str, required: bool, description: str, kind: str = "String", key: bool = False) -> dict:
    return {"name": name, "required": required, "key": key, "secret": False, "queryable": False,
            "description": description, "type": kind}


# provider -> (configuration properties, (min input artifacts, max input artifacts))
RULE_TYPES: dict[str, tuple[list[dict], tuple[int, int]]] = {
    "CloudWatchAlarm": ([
        _prop("AlarmName", True, "The name of the CloudWatch alarm (a separate resource in CloudWatch)", key=True),
        _prop("AlarmStates", False, "The alarm states the rule monitors: ALARM, OK, INSUFFICIENT_DATA"),
        _prop("WaitTime", False, "Minutes to wait for the alarm's state to change before the rule's result", "Number"),
    ], (0, 0)),
    "CodeBuild": ([
        _prop("ProjectName", True, "The name of the CodeBuild project", key=True),
        _prop("PrimarySource", False, "The input artifact to use as the primary source"),
        _prop("BatchEnabled", False, "Whether the build runs as a batch build", "Boolean"),
        _prop("CombineArtifacts", False, "Whether batch build artifacts are combined", "Boolean"),
        _prop("EnvironmentVariables", False, "A JSON list of environment variables for the build"),
    ], (1, 5)),
    "Commands": ([], (0, 10)),
    "DeploymentWindow": ([
        _prop("Cron", True, "The days and times when the deployment is allowed (6 fields and an optional year)", key=True),
        _prop("TimeZone", False, "Region/City, UTC+-HH:MM (default UTC) or an abbreviation"),
    ], (0, 0)),
    "LambdaInvoke": ([
        _prop("FunctionName", True, "The name of the Lambda function", key=True),
        _prop("UserParameters", False, "Input for the function"),
    ], (0, 5)),
    "VariableCheck": ([
        _prop("Variable", True, "The variable to check, for example #{SourceVariables.BranchName}", key=True),
        _prop("Value", True, "The value to compare with"),
        _prop("Operator", True, "EQ, NE, CONTAINS or MATCHES"),
    ], (0, 0)),
}


def rule_types() -> list[dict]:
    return [{"id": {"category": "Rule", "owner": "AWS", "provider": provider, "version": "1"},
             "settings": {},
             "ruleConfigurationProperties": properties,
             "inputArtifactDetails": {"minimumCount": low, "maximumCount": high}}
            for provider, (properties, (low, high)) in RULE_TYPES.items()]
