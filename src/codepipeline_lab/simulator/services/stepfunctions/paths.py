"""The Amazon States Language's data flow: reference paths ($.a.b[0], $$.Execution.Id),
Parameters/ResultSelector templates (keys ending in ``.$``), and ResultPath.

Only reference paths are supported (no filters, wildcards or slices), and no intrinsic
functions (States.Format …): using one fails the execution with ``States.Runtime``.
"""

from __future__ import annotations

import copy
import re

_STEP = re.compile(r"""\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]""")


class StatesError(Exception):
    """An error that ends a state: ``error`` is the States Language name, ``cause`` the text."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def steps(path: str) -> list:
    """``$.a['b'][0]`` -> ["a", "b", 0]; a path that is not a reference path is a States.Runtime error."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise StatesError("States.Runtime", f"Invalid path {path!r}: a path must start with '$'")
    rest, found, at = path[1:], [], 0
    while at < len(rest):
        match = _STEP.match(rest, at)
        if match is None:
            raise StatesError("States.Runtime", f"Invalid path {path!r}: the simulator supports only reference paths "
                                                "such as $.a.b or $.items[0]")
        name, index, quoted, double = match.groups()
        found.append(int(index) if index is not None else next(v for v in (name, quoted, double) if v is not None))
        at = match.end()
    return found


def read(path: str, data, context: dict | None = None):
    """The value at ``path`` in ``data`` (``$$.`` paths read the context object)."""
    if path.startswith("$$"):
        return read("$" + path[2:], context or {})
    value = data
    for step in steps(path):
        ok = (isinstance(step, int) and isinstance(value, list) and step < len(value)) or \
             (isinstance(step, str) and isinstance(value, dict) and step in value)
        if not ok:
            raise StatesError("States.Runtime", f"Invalid path '{path}': the input has no value there")
        value = value[step]
    return value


def present(path: str, data) -> bool:
    try:
        read(path, data)
    except StatesError:
        return False
    return True


def fill(template, data, context: dict):
    """Parameters / ResultSelector: a copy of ``template`` where each ``key.$`` takes the value of its path."""
    if isinstance(template, dict):
        filled = {}
        for key, value in template.items():
            if key.endswith(".$"):
                if not isinstance(value, str) or not value.startswith("$"):
                    raise StatesError("States.Runtime", f"The value of '{key}' is not a path; intrinsic functions such as "
                                                        f"{str(value).split('(')[0]} are not supported by the simulator")
                filled[key[:-2]] = copy.deepcopy(read(value, data, context))
            else:
                filled[key] = fill(value, data, context)
        return filled
    if isinstance(template, list):
        return [fill(item, data, context) for item in template]
    return template


def place(result, path, state_input):
    """ResultPath: where the result goes in a copy of the state's input (null discards it)."""
    if path is None:
        return copy.deepcopy(state_input)
    where = steps(path)
    if not where:
        return result
    output = copy.deepcopy(state_input)
    if not isinstance(output, dict):
        raise StatesError("States.Runtime", f"Unable to apply ResultPath '{path}': the state's input is not a JSON object")
    node = output
    for step in where[:-1]:
        if not isinstance(step, str):
            raise StatesError("States.Runtime", f"Unable to apply ResultPath '{path}': array indexes are not supported")
        node = node.setdefault(step, {})
        if not isinstance(node, dict):
            raise StatesError("States.Runtime", f"Unable to apply ResultPath '{path}': '{step}' is not a JSON object")
    node[where[-1]] = result
    return output


def select(state: dict, key: str, data, context: dict):
    """InputPath / OutputPath: absent means ``$``, null means an empty object."""
    if key not in state:
        return data
    if state[key] is None:
        return {}
    return read(state[key], data, context)
