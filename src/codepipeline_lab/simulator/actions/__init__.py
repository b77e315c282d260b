"""One module per action provider; each registers itself in ``base.PROVIDERS``."""

from codepipeline_lab.simulator.actions.base import PROVIDERS, Job, Provider

__all__ = ["PROVIDERS", "Job", "Provider"]


def load_providers() -> None:
    """Import every provider module, so that each registers itself (one provider per file)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


load_providers()
