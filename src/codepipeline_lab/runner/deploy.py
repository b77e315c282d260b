"""Deploying a template into the Lab: the resources the simulator's CloudFormation creates go
through ``create_stack`` (the runner acknowledges the capabilities itself: the template is the
user's own); the kinds it does not create (``cfn_resources.KINDS``) are created by the runner
through their APIs, before the stack when they need nothing from it, after it otherwise, and
their Refs and attributes are written into the stack's template as the values they will have."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Callable

from botocore.exceptions import ClientError

from codepipeline_lab.runner import cfn_pipeline, stack_attributes
from codepipeline_lab.runner.cfn_resources import KINDS, Made
from codepipeline_lab.runner.intrinsics import Resolver, Unresolved, pseudo_parameters
from codepipeline_lab.runner.loading import PIPELINE_TYPE, Input
from codepipeline_lab.runner.problems import Unusable

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass
class Deployed:
    declaration: dict
    pipeline_id: str
    disabled_transitions: list = field(default_factory=list)
    stack_name: str = ""


def stack_name_for(path: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9-]", "-", path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("-")
    name = stem if stem[:1].isalpha() else f"run-{stem}"
    return name[:100] or "run"


def choose_pipeline(source: Input, wanted: str | None) -> str:
    pipelines = source.pipelines()
    if wanted is None:
        if len(pipelines) > 1:
            raise Unusable(f"{source.path}: Resources: the template declares {len(pipelines)} pipelines "
                           f"({', '.join(sorted(pipelines))}); choose one with --pipeline NAME")
        return next(iter(pipelines))
    for logical, resource in pipelines.items():
        if wanted in (logical, (resource.get("Properties") or {}).get("Name")):
            return logical
    raise Unusable(f"{source.path}: --pipeline {wanted}: no pipeline of the template has this logical id or Name "
                   f"(it has {', '.join(sorted(pipelines))})")


def parameter_values(source: Input, given: dict[str, str]) -> dict:
    declared = source.document.get("Parameters") or {}
    problems = [f"{source.path}: --parameter {k}: the template declares no parameter {k}" for k in given if k not in declared]
    values = {}
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        if name in given:
            value = given[name]
        elif "Default" in spec:
            value = spec["Default"]
        else:
            problems.append(f"{source.path}: Parameters.{name}: has no Default; give --parameter {name}=VALUE")
            continue
        allowed = spec.get("AllowedValues")
        if isinstance(allowed, list) and str(value) not in [str(a) for a in allowed]:
            problems.append(f"{source.path}: Parameters.{name}: '{value}' is not one of its AllowedValues ({', '.join(map(str, allowed))})")
        kind = str(spec.get("Type", "String"))
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            value = [part.strip() for part in str(value).split(",")] if not isinstance(value, list) else value
        elif not isinstance(value, list):
            value = str(value)
        values[name] = value
    if problems:
        raise Unusable(problems)
    return values


class Deployment:
    def __init__(self, lab, source: Input, given: dict[str, str], pipeline_id: str, say: Callable[[str], None]) -> None:
        self.lab, self.source, self.say = lab, source, say
        self.template = source.document
        self.resources = {k: v for k, v in (self.template.get("Resources") or {}).items() if isinstance(v, dict)}
        self.given, self.pipeline_id = given, pipeline_id
        self.stack_name = stack_name_for(source.path)
        self.parameters = parameter_values(source, given)
        self.pseudo = pseudo_parameters(lab.region, lab.account_id, self.stack_name)
        self.made: dict[str, Made] = {}
        self.names: dict[str, str] = {}
        self.physical: dict[str, str] = {}
        self.before = Resolver(self.template, self.parameters, self.pseudo, self._ref_before, self._attribute_before)
        self.after = Resolver(self.template, self.parameters, self.pseudo, self._ref_after, self._attribute_after)

    # -- the steps ------------------------------------------------------------------------
    def deploy(self) -> Deployed:
        try:
            runner_owned = self._runner_owned()
            for logical in runner_owned:
                self.names[logical] = self._name(logical)
            for logical in runner_owned:
                if KINDS[self._type(logical)].before_stack:
                    self._create(logical, self.before)
            self._create_stack(runner_owned)
            for logical in runner_owned:
                kind = KINDS[self._type(logical)]
                if not kind.before_stack and kind.create is not None:
                    self._create(logical, self.after)
            properties = self.after.resolve(self.resources[self.pipeline_id].get("Properties") or {},
                                            f"Resources.{self.pipeline_id}.Properties")
        except Unresolved as problem:
            raise Unusable(f"{self.source.path}: {problem.place}: {problem.message}") from None
        for logical in runner_owned:
            if self._type(logical) == PIPELINE_TYPE and logical != self.pipeline_id:
                self.say(f"not created: pipeline {logical} (only one pipeline runs; choose it with --pipeline {logical})")
        declaration = cfn_pipeline.declaration(properties, self.names[self.pipeline_id])
        return Deployed(declaration, self.pipeline_id, cfn_pipeline.disabled_transitions(properties), self.stack_name)

    def _runner_owned(self) -> list[str]:
        owned = [k for k in self.resources if self._type(k) in KINDS and self.before.resource_included(k)]
        order = {"AWS::CodeDeploy::Application": 0, "AWS::CodeDeploy::DeploymentGroup": 2, PIPELINE_TYPE: 3}
        return sorted(owned, key=lambda k: order.get(self._type(k), 1))

    def _type(self, logical: str) -> str:
        return str(self.resources[logical].get("Type"))

    def _name(self, logical: str) -> str:
        kind = KINDS[self._type(logical)]
        declared = (self.resources[logical].get("Properties") or {}).get(kind.name_property) if kind.name_property else None
        if declared is not None:
            try:
                return str(self.before.resolve(declared, f"Resources.{logical}.Properties.{kind.name_property}"))
            except Unresolved:
                pass                       # a name made from the stack's resources: use a generated one
        digest = hashlib.sha1(f"{self.stack_name}/{logical}".encode()).hexdigest()[:12].upper()
        return f"{self.stack_name}-{logical}-{digest}"[:100]

    def _create(self, logical: str, resolver: Resolver) -> None:
        kind_name = self._type(logical)
        kind = KINDS[kind_name]
        properties = self.resources[logical].get("Properties") or {}
        if kind.used_properties is not None:
            ignored = sorted(set(properties) - set(kind.used_properties))
            if ignored:
                self.say(f"note: {logical} ({kind_name}): properties {', '.join(ignored)} are not applied by the runner")
            properties = {k: v for k, v in properties.items() if k in kind.used_properties}
        resolved = resolver.resolve(properties, f"Resources.{logical}.Properties")
        try:
            self.made[logical] = kind.create(self.lab, resolved, self.names[logical])
        except ClientError as error:
            info = error.response.get("Error", {})
            raise Unusable(f"{self.source.path}: Resources.{logical}: {kind_name} could not be created: "
                           f"{info.get('Code')}: {info.get('Message')}") from None
        except Exception as error:           # a property the runner or the simulator cannot use
            raise Unusable(f"{self.source.path}: Resources.{logical}: {kind_name} could not be created from its "
                           f"properties ({type(error).__name__}: {error})") from None
        self.say(f"created {kind_name} {self.names[logical]} ({logical}) through its API: "
                 f"the simulator's CloudFormation does not create this resource type")

    # -- the stack ------------------------------------------------------------------------
    def _create_stack(self, runner_owned: list[str]) -> None:
        body = copy.deepcopy({k: v for k, v in self.template.items() if k not in ("Resources", "Outputs")})
        kept = {k: v for k, v in self.resources.items() if k not in runner_owned and self.before.resource_included(k)}
        body["Resources"] = {k: self._for_stack(copy.deepcopy(v), runner_owned, f"Resources.{k}") for k, v in kept.items()}
        for resource in body["Resources"].values():
            depends = resource.get("DependsOn")
            if isinstance(depends, str):
                depends = [depends]
            if isinstance(depends, list):
                depends = [d for d in depends if d in kept]
                if depends:
                    resource["DependsOn"] = depends
                else:
                    resource.pop("DependsOn", None)
        if "Outputs" in self.template:
            body["Outputs"] = self._for_stack(copy.deepcopy(self.template["Outputs"]), runner_owned, "Outputs")
        if not kept:
            self.say("no stack created: every resource of the template is created by the runner")
            return
        cloudformation = self.lab.client("cloudformation")
        parameters = [{"ParameterKey": k, "ParameterValue": ",".join(v) if isinstance(v, list) else str(v)}
                      for k, v in self.given.items()]
        try:
            cloudformation.create_stack(StackName=self.stack_name, TemplateBody=json.dumps(body),
                                        Parameters=parameters, Capabilities=CAPABILITIES)
            stack = cloudformation.describe_stacks(StackName=self.stack_name)["Stacks"][0]
        except ClientError as error:
            info = error.response.get("Error", {})
            raise Unusable(f"{self.source.path}: CreateStack {self.stack_name}: {info.get('Code')}: {info.get('Message')}") from None
        except Exception as error:          # moto could not work the template out
            raise Unusable(f"{self.source.path}: CreateStack {self.stack_name}: the simulator's CloudFormation could not "
                           f"create the stack ({type(error).__name__}: {error})") from None
        if stack["StackStatus"] != "CREATE_COMPLETE":
            events = cloudformation.describe_stack_events(StackName=self.stack_name)["StackEvents"]
            failed = [e for e in events if e.get("ResourceStatus") == "CREATE_FAILED" and e.get("LogicalResourceId") != self.stack_name]
            lines = [f"{self.source.path}: Resources.{e['LogicalResourceId']}: CREATE_FAILED: {e.get('ResourceStatusReason', '')}"
                     for e in reversed(failed)]
            raise Unusable(lines or [f"{self.source.path}: stack {self.stack_name} ended {stack['StackStatus']}"])
        listed = cloudformation.describe_stack_resources(StackName=self.stack_name)["StackResources"]
        self.physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in listed}
        self.say(f"deployed stack {self.stack_name}: {len(self.physical)} resource(s) created by CloudFormation "
                 f"(capabilities {', '.join(CAPABILITIES)} acknowledged)")
        for logical in kept:
            if logical not in self.physical:
                self.say(f"not created: {logical} ({self._type(logical)}): the simulator's CloudFormation has no such resource type")

    def _for_stack(self, value, runner_owned: list[str], place: str):
        """``value`` with every Ref/GetAtt/${} of a runner-owned resource replaced by its value."""
        if isinstance(value, list):
            return [self._for_stack(v, runner_owned, f"{place}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref" and argument in runner_owned:
                return self._ref_before(argument, place)
            if key == "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                if isinstance(parts, list) and parts and parts[0] in runner_owned:
                    return self._attribute_before(parts[0], str(parts[1]), place)
            if key == "Fn::Sub":
                text, rest = (argument, None) if isinstance(argument, str) else (argument[0], argument[1:])
                if isinstance(text, str):
                    def replace(match: re.Match) -> str:
                        name = match.group(1)
                        head, _, attribute = name.partition(".")
                        if head not in runner_owned:
                            return match.group(0)
                        found = self._attribute_before(head, attribute, place) if attribute else self._ref_before(head, place)
                        return str(found)
                    text = _SUB.sub(replace, text)
                    rest = self._for_stack(rest, runner_owned, place) if rest else rest
                    return {"Fn::Sub": text if rest is None else [text, *rest]}
        return {k: self._for_stack(v, runner_owned, f"{place}.{k}") for k, v in value.items()}

    # -- what a resource's Ref and attributes are -----------------------------------------
    def _ref_before(self, logical: str, place: str):
        if logical in self.made:
            return self.made[logical].ref
        if logical in self.names and not KINDS[self._type(logical)].before_stack:
            return self.names[logical]
        raise Unresolved(place, f"Ref {logical}: its value is not known before the stack is created")

    def _attribute_before(self, logical: str, name: str, place: str):
        if logical in self.made and name in self.made[logical].attributes:
            return self.made[logical].attributes[name]
        if logical in self.names:
            attributes = KINDS[self._type(logical)].attributes(self.names[logical], self.lab.region, self.lab.account_id)
            if name in attributes:
                return attributes[name]
        raise Unresolved(place, f"Fn::GetAtt {logical}.{name}: the runner cannot work out this attribute of {self._type(logical)}")

    def _ref_after(self, logical: str, place: str):
        if logical in self.names:
            return self._ref_before(logical, place)
        if logical in self.physical:
            return self.physical[logical]
        raise Unresolved(place, f"Ref {logical}: {self._type(logical)} {logical} was not created in the Lab "
                                f"(the simulator's CloudFormation has no such resource type)")

    def _attribute_after(self, logical: str, name: str, place: str):
        if logical in self.names:
            return self._attribute_before(logical, name, place)
        if logical not in self.physical:
            raise Unresolved(place, f"Fn::GetAtt {logical}.{name}: {self._type(logical)} {logical} was not created in the Lab")
        try:
            value = stack_attributes.attribute(self.lab, self._type(logical), self.physical[logical], name)
        except ClientError:
            value = None
        if value is None:
            raise Unresolved(place, f"Fn::GetAtt {logical}.{name}: the runner cannot read attribute {name} of {self._type(logical)}")
        return value
