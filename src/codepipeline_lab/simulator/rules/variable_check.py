"""Rule/AWS/VariableCheck: compares a resolved variable with Value using Operator
(EQ, NE, CONTAINS, MATCHES — a regular expression that must match the whole value)."""

from __future__ import annotations

import re
from datetime import timedelta

from codepipeline_lab.simulator.rules.base import Rule, register

OPERATORS = ("EQ", "NE", "CONTAINS", "MATCHES")


@register
class VariableCheckRule(Rule):
    provider = "VariableCheck"
    duration = timedelta(seconds=1)

    def run(self, job) -> None:
        config = job.configuration
        variable, value, operator = config["Variable"], config["Value"], config["Operator"]
        if operator == "EQ":
            passed = variable == value
        elif operator == "NE":
            passed = variable != value
        elif operator == "CONTAINS":
            passed = value in variable
        else:
            try:
                passed = re.fullmatch(value, variable) is not None
            except re.error as problem:
                job.fail(f"Value '{value}' is not a valid regular expression: {problem}", "ConfigurationError")
                return
        text = f"'{variable}' {operator} '{value}'"
        if passed:
            job.succeed(f"{text} is true")
        else:
            job.fail(f"{text} is false", "JobFailed")
