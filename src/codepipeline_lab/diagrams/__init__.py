"""Pictures of pipelines drawn from AWS API answers: structure, artifacts, executions, events, regions.

Every function takes either plain dicts shaped as boto3 returns them, or ``lab=`` and a name,
and returns a :class:`Diagram` (inline SVG in Jupyter, ``.save("x.svg")``, ``.source`` DOT).
"""

from codepipeline_lab.diagrams.artifacts import artifact_flow
from codepipeline_lab.diagrams.diagram import Diagram
from codepipeline_lab.diagrams.errors import DiagramInputError, GraphvizNotInstalledError
from codepipeline_lab.diagrams.events import event_flow
from codepipeline_lab.diagrams.execution import execution_view
from codepipeline_lab.diagrams.live import LiveExecution, watch
from codepipeline_lab.diagrams.regions import regions_view
from codepipeline_lab.diagrams.structure import pipeline_structure

__all__ = [
    "Diagram", "DiagramInputError", "GraphvizNotInstalledError", "LiveExecution",
    "artifact_flow", "event_flow", "execution_view", "pipeline_structure", "regions_view", "watch",
]
