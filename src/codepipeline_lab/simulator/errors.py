"""AWS's exceptions, raised by the simulator and delivered to boto3 as ``ClientError``s.

Subclassing moto's ``ServiceException`` lets moto serialize them in the service's wire
protocol, so botocore turns them into ``ClientError`` with ``Error.Code`` = the class name.
"""

from moto.core.exceptions import ServiceException


class AwsError(ServiceException):
    code = "InternalFailure"

    def __init__(self, message: str) -> None:
        super().__init__(message)


def _error(name: str) -> type[AwsError]:
    return type(name, (AwsError,), {"code": name, "__module__": __name__})


# CodePipeline's exception shapes, by their names in the API model.
ValidationException = _error("ValidationException")
InvalidStructureException = _error("InvalidStructureException")
InvalidStageDeclarationException = _error("InvalidStageDeclarationException")
InvalidActionDeclarationException = _error("InvalidActionDeclarationException")
PipelineNameInUseException = _error("PipelineNameInUseException")
PipelineNotFoundException = _error("PipelineNotFoundException")
PipelineVersionNotFoundException = _error("PipelineVersionNotFoundException")
PipelineExecutionNotFoundException = _error("PipelineExecutionNotFoundException")
PipelineExecutionNotStoppableException = _error("PipelineExecutionNotStoppableException")
DuplicatedStopRequestException = _error("DuplicatedStopRequestException")
StageNotFoundException = _error("StageNotFoundException")
ActionNotFoundException = _error("ActionNotFoundException")
ActionTypeNotFoundException = _error("ActionTypeNotFoundException")
StageNotRetryableException = _error("StageNotRetryableException")
NotLatestPipelineExecutionException = _error("NotLatestPipelineExecutionException")
ConflictException = _error("ConflictException")
InvalidApprovalTokenException = _error("InvalidApprovalTokenException")
ApprovalAlreadyCompletedException = _error("ApprovalAlreadyCompletedException")
ResourceNotFoundException = _error("ResourceNotFoundException")
InvalidTagsException = _error("InvalidTagsException")
TooManyTagsException = _error("TooManyTagsException")
InvalidNextTokenException = _error("InvalidNextTokenException")
JobNotFoundException = _error("JobNotFoundException")
InvalidJobStateException = _error("InvalidJobStateException")
InvalidNonceException = _error("InvalidNonceException")
LimitExceededException = _error("LimitExceededException")
AccessDeniedException = _error("AccessDeniedException")
UnableToRollbackStageException = _error("UnableToRollbackStageException")
PipelineExecutionOutdatedException = _error("PipelineExecutionOutdatedException")
ConditionNotOverridableException = _error("ConditionNotOverridableException")

BY_CODE = {cls.code: cls for cls in AwsError.__subclasses__()}


def access_denied(code: str) -> type[AwsError]:
    """An error class for a service-specific code (S3's AccessDenied, SNS's AuthorizationError …)."""
    if code not in BY_CODE:
        BY_CODE[code] = _error(code.replace(".", "_")) if "." in code else _error(code)
        BY_CODE[code].code = code
    return BY_CODE[code]


# CloudTrail's exception shapes (InvalidNextTokenException above is shared with CloudTrail).
TrailNotFoundException = _error("TrailNotFoundException")
InvalidLookupAttributesException = _error("InvalidLookupAttributesException")
InvalidTimeRangeException = _error("InvalidTimeRangeException")
InvalidMaxResultsException = _error("InvalidMaxResultsException")
InvalidEventCategoryException = _error("InvalidEventCategoryException")
BY_CODE.update({cls.code: cls for cls in (TrailNotFoundException, InvalidLookupAttributesException, InvalidTimeRangeException,
                                        InvalidMaxResultsException, InvalidEventCategoryException)})


# IAM's exception shapes used by the policy simulator (their wire codes drop "Exception":
# NoSuchEntity, InvalidInput …; moto finds the shape by either name).
NoSuchEntityException = _error("NoSuchEntityException")
InvalidInputException = _error("InvalidInputException")
PolicyEvaluationException = _error("PolicyEvaluationException")
MalformedPolicyDocumentException = _error("MalformedPolicyDocumentException")
BY_CODE.update({cls.code: cls for cls in (NoSuchEntityException, InvalidInputException, PolicyEvaluationException,
                                        MalformedPolicyDocumentException)})


# CodeStar Connections' and CodeConnections' "The operation is not supported" (simulator/unsupported.py).
UnsupportedOperationException = _error("UnsupportedOperationException")
BY_CODE[UnsupportedOperationException.code] = UnsupportedOperationException
