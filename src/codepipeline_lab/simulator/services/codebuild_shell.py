"""Run buildspec commands with /bin/sh as CodeBuild does: one command at a time, in what
behaves like one shell session — the working directory and variables set by a command are
there for the next one — with a time limit that kills the command's whole process group.

Each command runs in a fresh ``/bin/sh`` that first restores the session (variables and
directory) saved by the previous command and saves it again afterwards. ``set -a`` makes every
assignment an exported variable, so ``VERSION=1.2`` in one command is visible in the next, as
in CodeBuild's shared shell.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass

SHELL = "/bin/sh"

_WRAPPER = """set -a
[ -f "$__CB_STATE/env" ] && . "$__CB_STATE/env"
cd "$(cat "$__CB_STATE/pwd")" || exit 1
{command}
__cb_status=$?
export -p > "$__CB_STATE/env"
pwd > "$__CB_STATE/pwd"
exit $__cb_status
"""


@dataclass
class CommandResult:
    exit_code: int | None          # None when the command was killed at the time limit
    output: str

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None


class Shell:
    """A shell session rooted at ``directory`` with ``environment``, ending at ``deadline`` (time.monotonic())."""

    def __init__(self, directory: str, environment: dict[str, str], state_directory: str, deadline: float) -> None:
        self._state = state_directory
        self._deadline = deadline
        self._directory = directory
        os.makedirs(state_directory, exist_ok=True)
        self.reset()
        self._environment = {**environment, "__CB_STATE": state_directory}

    def reset(self) -> None:
        """Forget the session: the next command starts in the first directory with the first
        variables, as in a new shell (buildspec version 0.1 runs every command this way)."""
        with open(os.path.join(self._state, "pwd"), "w") as handle:
            handle.write(self._directory + "\n")
        try:
            os.remove(os.path.join(self._state, "env"))
        except FileNotFoundError:
            pass

    def environment(self) -> dict[str, str]:
        """The session's exported variables now (read back through a shell, so quoting is the shell's)."""
        result = self.run('env > "$__CB_STATE/final-env"')
        values: dict[str, str] = {}
        if result.exit_code != 0:
            return values
        with open(os.path.join(self._state, "final-env"), encoding="utf-8", errors="replace") as handle:
            name = None
            for line in handle.read().split("\n"):
                head, sep, value = line.partition("=")
                if sep and head.replace("_", "a").isalnum():
                    name = head
                    values[name] = value
                elif name is not None:
                    values[name] += "\n" + line
        return values

    def run(self, command: str) -> CommandResult:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            return CommandResult(None, "")
        process = subprocess.Popen([SHELL, "-c", _WRAPPER.format(command=command)], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self._environment,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            output, _ = process.communicate()
            return CommandResult(None, output.decode("utf-8", errors="replace"))
        return CommandResult(process.returncode, output.decode("utf-8", errors="replace"))


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
