"""The console widget: synced state for console.js, and the Python side of its buttons."""

from __future__ import annotations

import weakref
from pathlib import Path

import anywidget
import traitlets
from botocore.exceptions import ClientError, ParamValidationError

from codepipeline_lab.console import calls
from codepipeline_lab.console.errors import shown_error
from codepipeline_lab.console.snapshot import Clients, read_view

ESM_PATH = Path(__file__).with_name("console.js")
CSS_PATH = Path(__file__).with_name("console.css")
CLOCK_BUTTONS = ("run", "advance")


class Console(anywidget.AnyWidget):
    """The CodePipeline console for one pipeline of a Lab.

    ``Console(lab, "WebApp")`` acts as the Lab's administrator; ``credentials=(key, secret)`` as an
    IAM user. ``refresh()`` reads the pipeline again; ``follow=True`` also refreshes after every
    notebook cell (so ``lab.run()`` in another cell shows here). Synced traits: ``view`` (what is
    shown, Python -> JS) and ``last`` (the last button's call and its error, Python -> JS).
    """

    _esm = ESM_PATH
    _css = CSS_PATH
    view = traitlets.Dict().tag(sync=True)
    last = traitlets.Dict().tag(sync=True)

    def __init__(self, lab, pipeline_name: str, credentials: tuple | None = None, follow: bool = False) -> None:
        super().__init__()
        self.lab = lab
        self.pipeline_name = pipeline_name
        self.clients = Clients(lab, credentials)
        self.caller = self.clients.caller()
        self._presses = 0
        self.on_msg(self._on_message)
        self.refresh()
        if follow:
            self._follow_cells()

    def __repr__(self) -> str:
        who = self.caller.rsplit(":", 1)[-1]
        return f"Console(pipeline={self.pipeline_name!r}, as={who!r})"

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> "Console":
        """Read the pipeline again (GetPipeline, GetPipelineState, ListPipelineExecutions, ListActionExecutions ...)."""
        self.view = read_view(self.clients, self.pipeline_name, self.lab.now, self.caller)
        return self

    # -- the buttons -----------------------------------------------------------------------
    def _on_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict):
            return
        if content.get("do") == "hello":
            self.send({"live": True})   # a kernel answers: the browser enables the buttons
            return
        self.press(content)

    def press(self, message: dict) -> dict:
        """Do what a button asks (``{"do": "retry", "stage": ..., ...}``), refresh, and return ``last``."""
        action = message.get("do")
        self._presses += 1
        last = {"seq": self._presses, "do": action, "call": "", "error": None}
        try:
            if action in CLOCK_BUTTONS:
                last["call"] = calls.move_clock(self.lab, message)
            elif action in calls.API_BUTTONS:
                last["call"], _ = calls.make_call(self.clients, self.pipeline_name, message)
            elif action != "refresh":
                last["error"] = {"code": "UnknownButton", "message": f"The console has no button {action!r}.", "operation": ""}
        except ClientError as exc:
            last["call"], last["error"] = getattr(exc, "console_call", ""), shown_error(exc)
        except ParamValidationError as exc:
            last["call"] = getattr(exc, "console_call", "")
            last["error"] = {"code": "ParamValidationError", "message": str(exc), "operation": ""}
        except calls.NothingToReview as exc:
            last["error"] = {"code": "NothingToReview", "message": str(exc), "operation": "PutApprovalResult"}
        self.refresh()
        self.last = last
        return last

    # -- following the notebook ---------------------------------------------------------------
    def _follow_cells(self) -> None:
        """Refresh after every cell while the Lab runs; stop following when the Lab stops or the console goes."""
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is None:
            return
        console = weakref.ref(self)

        def after_cell(*_args) -> None:
            alive = console()
            try:
                if alive is None:
                    raise RuntimeError("console gone")
                alive.refresh()
            except RuntimeError:
                shell.events.unregister("post_run_cell", after_cell)

        shell.events.register("post_run_cell", after_cell)


__all__ = ["Console", "ESM_PATH", "CSS_PATH"]
