"""CodePipeline Lab: learn AWS CodePipeline by running pipelines in a local, simulated account."""

from codepipeline_lab.lab import Lab

__all__ = ["Lab"]
__version__ = "0.1.0"
