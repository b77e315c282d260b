"""CloudFormation's intrinsic functions, resolved by the runner: Ref, Fn::GetAtt, Fn::Sub,
Fn::Join, Fn::Select, Fn::Split, Fn::If and the condition functions, Fn::FindInMap, Fn::GetAZs,
Fn::Base64, Fn::ToJsonString, Fn::Length. What a resource's Ref or attribute is comes from the
caller (the deployed stack, or a placeholder when checking offline)."""

from __future__ import annotations

import base64
import json
import re
from typing import Callable

NO_VALUE = object()          # AWS::NoValue: the property is left out
_SUB = re.compile(r"\$\{([^}]*)\}")


class Unresolved(Exception):
    """An intrinsic function the runner cannot work out; ``place`` is its JSON path in the template."""

    def __init__(self, place: str, message: str) -> None:
        self.place, self.message = place, message
        super().__init__(f"{place}: {message}")


def pseudo_parameters(region: str, account_id: str, stack_name: str) -> dict:
    return {
        "AWS::Region": region, "AWS::AccountId": account_id, "AWS::StackName": stack_name,
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/00000000-0000-0000-0000-000000000000",
        "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": [],
    }


class Resolver:
    """Resolves a template's values. ``ref(logical_id, place)`` and ``attribute(logical_id, name,
    place)`` give a resource's Ref and Fn::GetAtt values (or raise Unresolved)."""

    def __init__(self, template: dict, parameters: dict, pseudo: dict,
                 ref: Callable[[str, str], object], attribute: Callable[[str, str, str], object]) -> None:
        self.template = template
        self.values = {**pseudo, **parameters}
        self._ref, self._attribute = ref, attribute
        self._conditions: dict[str, bool] = {}

    # -- public ---------------------------------------------------------------------------
    def resolve(self, value, place: str):
        result = self._resolve(value, place)
        return None if result is NO_VALUE else result

    def condition(self, name: str, place: str) -> bool:
        if name not in self._conditions:
            declared = (self.template.get("Conditions") or {})
            if name not in declared:
                raise Unresolved(place, f"condition '{name}' is not declared in Conditions")
            self._conditions[name] = bool(self._resolve(declared[name], f"Conditions.{name}"))
        return self._conditions[name]

    def resource_included(self, logical_id: str) -> bool:
        name = ((self.template.get("Resources") or {}).get(logical_id) or {}).get("Condition")
        return True if name is None else self.condition(name, f"Resources.{logical_id}.Condition")

    # -- the functions --------------------------------------------------------------------
    def _resolve(self, value, place: str):
        if isinstance(value, list):
            items = [self._resolve(item, f"{place}[{i}]") for i, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self._ref_value(argument, place)
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument, place)
            if key.startswith("Fn::"):
                handler = getattr(self, "_fn_" + key[4:].lower(), None)
                if handler is None:
                    raise Unresolved(place, f"{key} cannot be resolved by the runner")
                return handler(argument, f"{place}.{key}")
        resolved = {}
        for key, item in value.items():
            item = self._resolve(item, f"{place}.{key}")
            if item is not NO_VALUE:
                resolved[key] = item
        return resolved

    def _ref_value(self, name, place: str):
        if not isinstance(name, str):
            raise Unresolved(place, "Ref needs the name of a parameter or resource")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.values:
            return self.values[name]
        if name in (self.template.get("Resources") or {}):
            return self._ref(name, place)
        raise Unresolved(place, f"Ref {name}: no parameter, pseudo parameter or resource has this name")

    def _fn_getatt(self, argument, place: str):
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved(place, "Fn::GetAtt needs [LogicalId, AttributeName]")
        logical, name = argument[0], self._resolve(argument[1], place)
        if logical not in (self.template.get("Resources") or {}):
            raise Unresolved(place, f"Fn::GetAtt {logical}.{name}: the template has no resource {logical}")
        return self._attribute(logical, name, place)

    def _fn_sub(self, argument, place: str):
        text, variables = (argument, {}) if isinstance(argument, str) else (argument + [{}])[:2] if isinstance(argument, list) else (None, None)
        if not isinstance(text, str) or not isinstance(variables, dict):
            raise Unresolved(place, "Fn::Sub needs a string or [string, {variables}]")
        local = {k: self._resolve(v, f"{place}[1].{k}") for k, v in variables.items()}

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                found = local[name]
            elif "." in name and name.split(".", 1)[0] in (self.template.get("Resources") or {}):
                found = self._fn_getatt(name.split(".", 1), place)
            else:
                found = self._ref_value(name, place)
            if isinstance(found, list):
                found = ",".join(map(str, found))
            return str(found)
        return _SUB.sub(replace, text)

    def _fn_join(self, argument, place: str):
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved(place, "Fn::Join needs [delimiter, [values]]")
        items = self._resolve(argument[1], place)
        if not isinstance(items, list):
            raise Unresolved(place, "Fn::Join needs a list of values")
        return str(argument[0]).join(str(i) for i in items)

    def _fn_select(self, argument, place: str):
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved(place, "Fn::Select needs [index, [values]]")
        index, items = self._resolve(argument[0], place), self._resolve(argument[1], place)
        try:
            return items[int(index)]
        except (ValueError, TypeError, IndexError):
            raise Unresolved(place, f"Fn::Select index {index!r} is not in the list") from None

    def _fn_split(self, argument, place: str):
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved(place, "Fn::Split needs [delimiter, string]")
        return str(self._resolve(argument[1], place)).split(str(argument[0]))

    def _fn_if(self, argument, place: str):
        if not (isinstance(argument, list) and len(argument) == 3):
            raise Unresolved(place, "Fn::If needs [condition, value if true, value if false]")
        chosen = argument[1] if self.condition(argument[0], place) else argument[2]
        return self._resolve(chosen, place)

    def _fn_equals(self, argument, place: str):
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved(place, "Fn::Equals needs two values")
        first, second = (self._resolve(a, place) for a in argument)
        return str(first) == str(second) if not isinstance(first, (list, dict)) else first == second

    def _fn_not(self, argument, place: str):
        return not self._resolve(argument[0] if isinstance(argument, list) else argument, place)

    def _fn_and(self, argument, place: str):
        return all(self._resolve(a, place) for a in argument)

    def _fn_or(self, argument, place: str):
        return any(self._resolve(a, place) for a in argument)

    def _fn_findinmap(self, argument, place: str):
        if not (isinstance(argument, list) and len(argument) >= 3):
            raise Unresolved(place, "Fn::FindInMap needs [map, top-level key, second-level key]")
        name, top, second = (self._resolve(a, place) for a in argument[:3])
        try:
            return (self.template.get("Mappings") or {})[name][top][second]
        except (KeyError, TypeError):
            if len(argument) > 3 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
                return self._resolve(argument[3]["DefaultValue"], place)
            raise Unresolved(place, f"Fn::FindInMap: Mappings has no {name}.{top}.{second}") from None

    def _fn_getazs(self, argument, place: str):
        region = self._resolve(argument, place) or self.values["AWS::Region"]
        return [f"{region}{letter}" for letter in "abc"]

    def _fn_base64(self, argument, place: str):
        return base64.b64encode(str(self._resolve(argument, place)).encode()).decode()

    def _fn_tojsonstring(self, argument, place: str):
        return json.dumps(self._resolve(argument, place), separators=(",", ":"))

    def _fn_length(self, argument, place: str):
        value = self._resolve(argument, place)
        if not isinstance(value, list):
            raise Unresolved(place, "Fn::Length needs a list")
        return len(value)
