"""The simulated account: the simulator's state beside moto's, and the operations it answers."""

from __future__ import annotations

from codepipeline_lab.simulator import api, validation
from codepipeline_lab.simulator.pipelines import PipelineStore
from codepipeline_lab.simulator.trust import trusts_codepipeline


class SimulatedAccount:
    def __init__(self, lab) -> None:
        self.lab = lab
        self.account_id = lab.account_id
        self.custom_action_types: dict = {}
        self.pipelines = PipelineStore(self.account_id, lambda: lab.scheduler.now, self.validation_context)
        from codepipeline_lab.simulator.operations import pipeline_operations
        self._handlers = {("codepipeline", name): handler for name, handler in pipeline_operations(self).items()}

    def validation_context(self, region: str) -> validation.Context:
        return validation.Context(region, self.role_trusts_codepipeline, self.custom_action_types)

    def role_trusts_codepipeline(self, role_arn: str) -> bool:
        policy = api.role_trust_policy(self.account_id, role_arn)
        return policy is not None and trusts_codepipeline(policy)

    def handlers(self) -> dict:
        return dict(self._handlers)
