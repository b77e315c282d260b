"""The CodePipeline console inside a notebook: an anywidget you operate with ordinary boto3 calls.

``Console(lab, "WebApp")`` shows the pipeline as the AWS console lays it out and lets a learner
review approvals, retry, stop, release a change and switch transitions; each button makes the
real API call through the Lab and shows it in boto3 form. See ``docs/console.md``.
"""

from codepipeline_lab.console.widget import Console

__all__ = ["Console"]
