"""The action types CodePipeline offers: owner/category/provider/version, how many input and
output artifacts each takes, and its configuration keys (facts §A4)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionType:
    owner: str
    category: str
    provider: str
    inputs: tuple[int, int]
    outputs: tuple[int, int]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    version: str = "1"
    # False where AWS's full key list is not known to us: unknown keys are then not rejected.
    strict_keys: bool = True
    v2_only: bool = False

    @property
    def keys(self) -> set[str]:
        return set(self.required) | set(self.optional)

    def label(self) -> str:
        return f"ActionType (Category: '{self.category}', Provider: '{self.provider}', Owner: '{self.owner}', Version: '{self.version}')"


_CODEBUILD_KEYS = ("PrimarySource", "EnvironmentVariables", "BatchEnabled", "CombineArtifacts")
_CFN_KEYS = ("ChangeSetName", "TemplatePath", "TemplateConfiguration", "ParameterOverrides",
             "Capabilities", "RoleArn", "OutputFileName")
_STACKSET_KEYS = ("Description", "Parameters", "Capabilities", "PermissionModel", "AdministrationRoleArn",
                  "ExecutionRoleName", "OrganizationsAutoDeployment", "DeploymentTargets", "Regions",
                  "FailureTolerancePercentage", "MaxConcurrentPercentage")
# Device Farm (facts §J6 and the current action reference): the key list has changed over time
# (AppiumVersion was required, TestSpec is newer), so unknown keys are not rejected.
_DEVICEFARM_KEYS = ("AppiumVersion", "TestSpec", "RadioBluetoothEnabled", "RadioWifiEnabled", "RadioNfcEnabled",
                    "RadioGpsEnabled", "RecordAppPerformanceData", "RecordVideo", "Test", "FuzzEventCount", "FuzzEventThrottle",
                    "FuzzRandomizerSeed", "CustomHostMachineArtifacts", "CustomDeviceArtifacts",
                    "UnmeteredDevicesOnly", "JobTimeoutMinutes", "Latitude", "Longitude")

ACTION_TYPES: tuple[ActionType, ...] = (
    ActionType("AWS", "Source", "CodeCommit", (0, 0), (1, 1), ("RepositoryName", "BranchName"),
               ("PollForSourceChanges", "OutputArtifactFormat")),
    ActionType("AWS", "Source", "S3", (0, 0), (1, 1), ("S3Bucket", "S3ObjectKey"),
               ("PollForSourceChanges", "AllowOverrideForS3ObjectKey")),
    ActionType("AWS", "Source", "ECR", (0, 0), (1, 1), ("RepositoryName",), ("ImageTag",)),
    ActionType("AWS", "Source", "CodeStarSourceConnection", (0, 0), (1, 1),
               ("ConnectionArn", "FullRepositoryId", "BranchName"), ("OutputArtifactFormat", "DetectChanges")),
    ActionType("ThirdParty", "Source", "GitHub", (0, 0), (1, 1), ("Owner", "Repo", "Branch", "OAuthToken"),
               ("PollForSourceChanges",)),
    ActionType("AWS", "Build", "CodeBuild", (1, 5), (0, 5), ("ProjectName",), _CODEBUILD_KEYS),
    ActionType("AWS", "Test", "CodeBuild", (1, 5), (0, 5), ("ProjectName",), _CODEBUILD_KEYS),
    ActionType("AWS", "Test", "DeviceFarm", (1, 1), (0, 0),
               ("AppType", "ProjectId", "App", "DevicePoolArn", "TestType"), _DEVICEFARM_KEYS, strict_keys=False),
    ActionType("AWS", "Approval", "Manual", (0, 0), (0, 0), (), ("NotificationArn", "CustomData", "ExternalEntityLink")),
    ActionType("AWS", "Deploy", "S3", (1, 1), (0, 0), ("BucketName", "Extract"),
               ("ObjectKey", "KMSEncryptionKeyARN", "CannedACL", "CacheControl")),
    ActionType("AWS", "Deploy", "CloudFormation", (0, 10), (0, 1), ("ActionMode", "StackName"), _CFN_KEYS),
    ActionType("AWS", "Deploy", "CloudFormationStackSet", (1, 3), (0, 0), ("StackSetName", "TemplatePath"), _STACKSET_KEYS),
    ActionType("AWS", "Deploy", "CloudFormationStackInstances", (0, 2), (0, 0), ("StackSetName", "Regions"),
               ("DeploymentTargets", "ParameterOverrides", "FailureTolerancePercentage", "MaxConcurrentPercentage")),
    ActionType("AWS", "Deploy", "CodeDeploy", (1, 1), (0, 0), ("ApplicationName", "DeploymentGroupName")),
    ActionType("AWS", "Deploy", "CodeDeployToECS", (1, 5), (0, 0),
               ("ApplicationName", "DeploymentGroupName", "TaskDefinitionTemplateArtifact", "AppSpecTemplateArtifact"),
               ("TaskDefinitionTemplatePath", "AppSpecTemplatePath",
                *(f"Image{n}{part}" for n in (1, 2, 3, 4) for part in ("ArtifactName", "ContainerName")))),
    ActionType("AWS", "Deploy", "ECS", (1, 1), (0, 0), ("ClusterName", "ServiceName"), ("FileName", "DeploymentTimeout")),
    ActionType("AWS", "Deploy", "ElasticBeanstalk", (1, 1), (0, 0), ("ApplicationName", "EnvironmentName")),
    ActionType("AWS", "Deploy", "ServiceCatalog", (1, 1), (0, 0), (), strict_keys=False),
    ActionType("AWS", "Deploy", "OpsWorks", (1, 1), (0, 0), (), strict_keys=False),
    ActionType("ThirdParty", "Deploy", "AlexaSkillsKit", (1, 2), (0, 0), (), strict_keys=False),
    ActionType("AWS", "Invoke", "Lambda", (0, 5), (0, 5), ("FunctionName",), ("UserParameters",)),
    ActionType("AWS", "Invoke", "StepFunctions", (0, 1), (0, 1), ("StateMachineArn",),
               ("ExecutionNamePrefix", "InputType", "Input")),
    ActionType("AWS", "Compute", "Commands", (1, 10), (0, 1), (), (), v2_only=True),
)

_BY_ID = {(t.owner, t.category, t.provider, t.version): t for t in ACTION_TYPES}


def find(owner: str, category: str, provider: str, version: str, custom: dict | None = None) -> ActionType | None:
    """The action type with this id, among AWS's and the account's custom ones (``custom``)."""
    key = (owner, category, provider, version)
    return _BY_ID.get(key) or (custom or {}).get(key)


def custom_action_type(category: str, provider: str, version: str, inputs: tuple[int, int],
                       outputs: tuple[int, int], required: tuple[str, ...], optional: tuple[str, ...]) -> ActionType:
    return ActionType("Custom", category, provider, inputs, outputs, required, optional, version=version)
