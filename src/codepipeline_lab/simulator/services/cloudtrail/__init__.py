"""CloudTrail: LookupEvents over the audit trail, and trails delivering log files to S3."""

from codepipeline_lab.simulator.services.cloudtrail.operations import cloudtrail_operations

__all__ = ["cloudtrail_operations"]
