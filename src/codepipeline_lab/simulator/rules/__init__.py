"""Rule providers of stage conditions (category Rule, owner AWS, version 1; facts §K3), one per file."""

from codepipeline_lab.simulator.rules import (  # noqa: F401  (registering)
    cloudwatch_alarm, commands, deployment_window, lambda_invoke, variable_check,
)
from codepipeline_lab.simulator.rules.base import RULES, Rule, RuleJob, rule_for  # noqa: F401
