"""The simulated account: the simulator's state beside moto's, and the operations it answers."""

from __future__ import annotations

from codepipeline_lab.simulator import api, errors, validation
from codepipeline_lab.simulator.authorization import required_permission
from codepipeline_lab.simulator.engine import Engine
from codepipeline_lab.simulator.execution_operations import execution_operations
from codepipeline_lab.simulator.operations import pipeline_operations
from codepipeline_lab.simulator.pipelines import PipelineStore
from codepipeline_lab.simulator.services.codebuild import CodeBuild
from codepipeline_lab.simulator.services.codebuild_operations import codebuild_operations
from codepipeline_lab.simulator.services.codecommit import CodeCommit
from codepipeline_lab.simulator.services.codedeploy import CodeDeploy, codedeploy_operations
from codepipeline_lab.simulator.services.codecommit_operations import codecommit_operations
from codepipeline_lab.simulator.services.eventbridge import EventRouter
from codepipeline_lab.simulator.services.jobs import JobStore
from codepipeline_lab.simulator.services.jobs_operations import jobs_operations
from codepipeline_lab.simulator.services.lambda_service import LambdaService, lambda_operations
from codepipeline_lab.simulator.trust import trusts_codepipeline


class SimulatedAccount:
    def __init__(self, lab) -> None:
        self.lab = lab
        self.account_id = lab.account_id
        self.custom_action_types: dict = {}
        self.approvals: dict = {}                       # token -> Job of a waiting manual approval
        self.pipelines = PipelineStore(self.account_id, lambda: lab.scheduler.now, self.validation_context)
        self.eventbridge = EventRouter(self)
        self.codecommit = CodeCommit(self)
        self.codebuild = CodeBuild(self)
        self.jobs = JobStore(self)
        self.lambda_service = LambdaService(self)
        self.codedeploy = CodeDeploy(self)
        self.engine = Engine(self)
        self._handlers = {}
        self._add("codepipeline", self._checked(pipeline_operations(self)))
        self._add("codepipeline", self._checked(execution_operations(self)))
        self._add("codecommit", codecommit_operations(self))
        self._add("events", {"put_events": self.eventbridge.put_events})
        self._add("codebuild", codebuild_operations(self))
        self._add("codepipeline", jobs_operations(self))
        self._add("lambda", lambda_operations(self))
        self._add("codedeploy", codedeploy_operations(self))

    def _add(self, service: str, operations: dict) -> None:
        self._handlers.update({(service, name): handler for name, handler in operations.items()})

    def _checked(self, operations: dict) -> dict:
        """Wrap CodePipeline operations so that an IAM user's call is authorized first."""
        def wrap(name, handler):
            def checked(params, ctx):
                needed = required_permission(name, params, ctx.region, self.account_id)
                if needed:
                    self.authorize(ctx, *needed)
                return handler(params, ctx)
            return checked
        return {name: wrap(name, handler) for name, handler in operations.items()}

    def handlers(self) -> dict:
        return dict(self._handlers)

    # -- what the operations ask of the account -------------------------------------------
    def validation_context(self, region: str) -> validation.Context:
        return validation.Context(region, self.role_trusts_codepipeline, self.custom_action_types)

    def role_trusts_codepipeline(self, role_arn: str) -> bool:
        policy = api.role_trust_policy(self.account_id, role_arn)
        return policy is not None and trusts_codepipeline(policy)

    def caller_arn(self, access_key_id: str | None) -> str:
        """The IAM principal behind an access key: a user of the account, or the account root."""
        user = api.user_of_access_key(self.account_id, access_key_id)
        return f"arn:aws:iam::{self.account_id}:user/{user}" if user else f"arn:aws:iam::{self.account_id}:root"

    def authorize(self, ctx, action: str, resource: str) -> None:
        """Evaluate the caller's IAM policies for ``action`` on ``resource`` (root is always allowed)."""
        user = api.user_of_access_key(self.account_id, ctx.access_key_id)
        if user is None:
            return
        from codepipeline_lab.simulator.iam_policies import evaluate
        decision = evaluate(api.user_policies(self.account_id, user), action, resource)
        if decision != "Allow":
            raise errors.AccessDeniedException(
                f"User: arn:aws:iam::{self.account_id}:user/{user} is not authorized to perform: {action} on resource: {resource}"
                + (" with an explicit deny" if decision == "Deny" else " because no identity-based policy allows the " + action + " action"))

    def invoke_lambda_async(self, arn: str, payload) -> None:
        """EventBridge's Lambda targets: run the function now, asynchronously as far as the caller knows."""
        self.lambda_service.invoke_async(arn, payload)

    def start_pipeline_from_event(self, pipeline_arn: str, rule: str) -> None:
        region, name = pipeline_arn.split(":")[3], pipeline_arn.split(":")[5]
        pipeline = self.pipelines.get(region, name)
        rule_arn = f"arn:aws:events:{region}:{self.account_id}:rule/{rule}"
        self.engine.start_execution(pipeline, {"triggerType": "CloudWatchEvent", "triggerDetail": rule_arn})
