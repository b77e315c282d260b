"""One module per action provider; each registers itself in ``base.PROVIDERS``."""

from codepipeline_lab.simulator.actions import base, codecommit_source, manual_approval, s3_source  # noqa: F401
from codepipeline_lab.simulator.actions.base import PROVIDERS, Job, Provider  # noqa: F401


def load_optional_providers() -> None:
    """Import the provider modules that exist (build, invoke and deploy actions grow here)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


load_optional_providers()
