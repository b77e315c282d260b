"""Step Functions executions on the virtual clock (state machines themselves stay in moto)."""

from codepipeline_lab.simulator.services.stepfunctions.executions import StepFunctions, stepfunctions_operations

__all__ = ["StepFunctions", "stepfunctions_operations"]
