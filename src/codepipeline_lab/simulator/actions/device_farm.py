"""Test/AWS/DeviceFarm: the declaration is checked as AWS checks it (required keys, AppType and
TestType values, switches and fuzz ranges: ``validation.py``, facts §J6), but the simulator has
no devices, so running the action fails with JobFailed and a message that says so."""

from __future__ import annotations

from datetime import timedelta

from codepipeline_lab.simulator.actions.base import Provider, register


@register
class DeviceFarmTest(Provider):
    category = "Test"
    provider = "DeviceFarm"
    duration = timedelta(seconds=1)

    def run(self, job) -> None:
        config = job.configuration
        job.fail(f"The simulator does not run AWS Device Farm tests: there are no devices to run {config.get('TestType')} "
                 f"tests of the {config.get('AppType')} app {config.get('App')} on (project {config.get('ProjectId')}, "
                 f"device pool {config.get('DevicePoolArn')}). The declaration itself is valid.", "JobFailed")
