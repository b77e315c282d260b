"""The simulated account: the simulator's state beside moto's, and the operations it answers."""

from __future__ import annotations

from codepipeline_lab.simulator import api, validation
from codepipeline_lab.simulator.engine import Engine
from codepipeline_lab.simulator.identity.audit_trail import AuditTrail
from codepipeline_lab.simulator.identity.authorizer import Authorizer
from codepipeline_lab.simulator.identity.sessions import RoleSessions
from codepipeline_lab.simulator.identity.simulate import simulate_operations
from codepipeline_lab.simulator.execution_operations import execution_operations
from codepipeline_lab.simulator.operations import pipeline_operations
from codepipeline_lab.simulator.pipelines import PipelineStore
from codepipeline_lab.simulator.services.cloudtrail import cloudtrail_operations
from codepipeline_lab.simulator.services.codebuild import CodeBuild
from codepipeline_lab.simulator.services.codebuild_operations import codebuild_operations
from codepipeline_lab.simulator.services.codecommit import CodeCommit
from codepipeline_lab.simulator.services.codedeploy import CodeDeploy, codedeploy_operations
from codepipeline_lab.simulator.services.codecommit_operations import codecommit_operations
from codepipeline_lab.simulator.services.connections import Connections, connection_operations
from codepipeline_lab.simulator.services.eventbridge import EventRouter
from codepipeline_lab.simulator.services.jobs import JobStore
from codepipeline_lab.simulator.services.jobs_operations import jobs_operations
from codepipeline_lab.simulator.services.lambda_service import LambdaService, lambda_operations
from codepipeline_lab.simulator.services.elasticbeanstalk import ElasticBeanstalk, elasticbeanstalk_operations
from codepipeline_lab.simulator.services.stepfunctions import StepFunctions, stepfunctions_operations
from codepipeline_lab.simulator.stage_features.operations import stage_feature_operations
from codepipeline_lab.simulator.services.stacksets import StackSets
from codepipeline_lab.simulator.services.stackset_operations import stackset_operations
from codepipeline_lab.simulator.identity.trust import trusts_codepipeline
from codepipeline_lab.simulator.triggers.ecr_events import EcrEvents
from codepipeline_lab.simulator.triggers.polling import Polling
from codepipeline_lab.simulator.triggers.s3_events import S3Events
from codepipeline_lab.simulator.triggers.webhooks import Webhooks
from codepipeline_lab.simulator.unsupported import unsupported_handlers


class SimulatedAccount:
    def __init__(self, lab) -> None:
        self.lab = lab
        self.account_id = lab.account_id
        self.audit = AuditTrail(lambda: lab.scheduler.now, lab.ids)
        self.authorizer = Authorizer(self)
        self.sessions = RoleSessions(self)
        self.custom_action_types: dict = {}
        self.approvals: dict = {}                       # token -> Job of a waiting manual approval
        self.pipelines = PipelineStore(self.account_id, lambda: lab.scheduler.now, self.validation_context)
        self.eventbridge = EventRouter(self)
        self.codecommit = CodeCommit(self)
        self.codebuild = CodeBuild(self)
        self.jobs = JobStore(self)
        self.lambda_service = LambdaService(self)
        self.codedeploy = CodeDeploy(self)
        self.elasticbeanstalk = ElasticBeanstalk(self)
        self.stepfunctions = StepFunctions(self)
        self.stacksets = StackSets(self)                # stack instances and operations (the sets are moto's)
        self.connections = Connections(self)            # connections, hosts and the Lab's Git hosts
        self.engine = Engine(self)
        self.polling = Polling(self)                    # PollForSourceChanges schedules
        self.webhooks = Webhooks(self)
        self.s3_events = S3Events(self)                 # S3 → EventBridge, directly or through CloudTrail
        self.ecr_events = EcrEvents(self)
        self.pipeline_watchers = [self.polling]         # told of CreatePipeline/UpdatePipeline/DeletePipeline
        self._handlers = {}
        self._add("codepipeline", pipeline_operations(self))
        self._add("codepipeline", execution_operations(self))
        self._add("codecommit", codecommit_operations(self))
        self._add("events", {"put_events": self.eventbridge.put_events})
        self._add("codebuild", codebuild_operations(self))
        self._add("codepipeline", jobs_operations(self))
        self._add("lambda", lambda_operations(self))
        self._add("codedeploy", codedeploy_operations(self))
        self._add("elasticbeanstalk", elasticbeanstalk_operations(self))
        self._add("stepfunctions", stepfunctions_operations(self))
        self._add("cloudtrail", cloudtrail_operations(self))
        self._add("iam", simulate_operations(self))
        self._add("cloudformation", stackset_operations(self))
        self._add("codepipeline", self.webhooks.operations())
        self._add("codepipeline", stage_feature_operations(self))
        for service, operations in connection_operations(self).items():
            self._add(service, operations)
        # Last: every other operation of the Code* services answers "not supported yet".
        for service, operations in unsupported_handlers(self._handlers).items():
            self._add(service, operations)

    def _add(self, service: str, operations: dict) -> None:
        self._handlers.update({(service, name): handler for name, handler in operations.items()})

    def handlers(self) -> dict:
        return dict(self._handlers)

    # -- what the operations ask of the account -------------------------------------------
    def validation_context(self, region: str) -> validation.Context:
        return validation.Context(region, self.role_trusts_codepipeline, self.custom_action_types, self.authorizer.assume_problem)

    def role_trusts_codepipeline(self, role_arn: str) -> bool:
        policy = api.role_trust_policy(self.account_id, role_arn)
        return policy is not None and trusts_codepipeline(policy)

    def caller_arn(self, access_key_id: str | None) -> str:
        """The IAM principal behind an access key: a user, a role session, or an account's root."""
        return self.authorizer.principal(access_key_id or "", self.account_id).arn

    def invoke_lambda_async(self, arn: str, payload) -> None:
        """EventBridge's Lambda targets: run the function now, asynchronously as far as the caller knows."""
        self.lambda_service.invoke_async(arn, payload)

    def start_pipeline_from_event(self, pipeline_arn: str, rule: str) -> None:
        region, name = pipeline_arn.split(":")[3], pipeline_arn.split(":")[5]
        pipeline = self.pipelines.get(region, name)
        rule_arn = f"arn:aws:events:{region}:{self.account_id}:rule/{rule}"
        self.engine.start_execution(pipeline, {"triggerType": "CloudWatchEvent", "triggerDetail": rule_arn})
