"""Read a CodeBuild buildspec (version 0.2, or the older 0.1): parse the YAML and check its shape.

Version 0.1 differs from 0.2 as AWS's buildspec reference describes: its variables are under
``environment_variables/plaintext`` (0.2 renamed them ``env/variables``), ``artifacts/type`` is
still allowed, and CodeBuild runs each command in a separate instance of the default shell, so a
``cd`` or a variable set by one command is gone in the next (``Buildspec.separate_shells``).

Problems are reported as CodeBuild reports them, prefixed ``YAML_FILE_ERROR``, with the file
and the line where the problem is, so a learner can go straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

PHASES = ("install", "pre_build", "build", "post_build")
PHASE_KEYS = ("run-as", "on-failure", "runtime-versions", "commands", "finally")
TOP_KEYS = ("version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache")
ENV_KEYS = ("shell", "variables", "parameter-store", "exported-variables", "secrets-manager", "git-credential-helper")
ARTIFACT_KEYS = ("files", "name", "discard-paths", "base-directory", "exclude-paths", "enable-symlinks", "s3-prefix",
                 "secondary-artifacts")
ON_FAILURE = ("ABORT", "CONTINUE")
# Version 0.1: the keys it had before 0.2 renamed environment_variables/plaintext to env/variables.
TOP_KEYS_01 = ("version", "environment_variables", "phases", "artifacts", "cache")
ENV_KEYS_01 = ("plaintext", "parameter-store")
ARTIFACT_KEYS_01 = ("files", "discard-paths", "base-directory", "type")


class BuildspecError(Exception):
    """A buildspec CodeBuild would refuse; the message is the one the build shows."""


@dataclass
class Phase:
    name: str
    commands: list[str] = field(default_factory=list)
    finally_commands: list[str] = field(default_factory=list)
    on_failure: str = "ABORT"


@dataclass
class ArtifactSpec:
    files: list[str]
    name: str | None = None
    discard_paths: bool = False
    base_directory: str | None = None
    exclude_paths: list[str] = field(default_factory=list)


@dataclass
class Buildspec:
    source: str                                  # where it came from, for messages
    version: str = "0.2"
    separate_shells: bool = False                # 0.1: each command in its own shell
    variables: dict[str, str] = field(default_factory=dict)
    parameter_store: dict[str, str] = field(default_factory=dict)
    exported_variables: list[str] = field(default_factory=list)
    phases: dict[str, Phase] = field(default_factory=dict)
    artifacts: ArtifactSpec | None = None
    secondary_artifacts: dict[str, ArtifactSpec] = field(default_factory=dict)


def parse(text: str, source: str) -> Buildspec:
    """The buildspec in ``text``; ``source`` names it in messages (e.g. "buildspec.yml")."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        reason = getattr(problem, "problem", None) or str(problem)
        raise BuildspecError(f"YAML_FILE_ERROR: yaml: {where}{reason} (in {source})") from None
    return _Reader(source, root).buildspec(data)


class _Reader:
    def __init__(self, source: str, root) -> None:
        self.source = source
        self.root = root

    def fail(self, message: str, *path: str) -> None:
        line = _line_of(self.root, path)
        where = f" at line {line}" if line else ""
        raise BuildspecError(f"YAML_FILE_ERROR: {message}{where} of {self.source}")

    def buildspec(self, data) -> Buildspec:
        if not isinstance(data, dict):
            self.fail("the buildspec must be a YAML mapping with version and phases")
        if "version" not in data:
            self.fail("missing version: a buildspec starts with 'version: 0.2'")
        if str(data["version"]) not in ("0.1", "0.2"):
            self.fail(f"invalid buildspec version {data['version']!r}; CodeBuild supports 0.1 and 0.2", "version")
        version = str(data["version"])
        spec = Buildspec(self.source, version, separate_shells=version == "0.1")
        if version == "0.1":
            self.unknown_keys(data, TOP_KEYS_01, "a version 0.1 buildspec (0.2 renamed environment_variables to env)", ())
            self.env_01(data.get("environment_variables") or {}, spec)
        else:
            self.unknown_keys(data, TOP_KEYS, "the buildspec", ())
            self.env(data.get("env") or {}, spec)
        phases = data.get("phases") or {}
        if not isinstance(phases, dict):
            self.fail("phases must be a mapping of phase names to phases", "phases")
        for name, body in phases.items():
            if name not in PHASES:
                self.fail(f"unknown phase '{name}'; the phases are {', '.join(PHASES)}", "phases", name)
            spec.phases[name] = self.phase(name, body or {})
        artifacts = data.get("artifacts")
        if artifacts is not None:
            self.artifacts(artifacts, spec)
        return spec

    def unknown_keys(self, mapping: dict, allowed: tuple, what: str, path: tuple) -> None:
        for key in mapping:
            if key not in allowed:
                self.fail(f"unknown key '{key}' in {what}; allowed keys: {', '.join(allowed)}", *path, key)

    def env(self, env, spec: Buildspec) -> None:
        if not isinstance(env, dict):
            self.fail("env must be a mapping", "env")
        self.unknown_keys(env, ENV_KEYS, "env", ("env",))
        for key, target in (("variables", spec.variables), ("parameter-store", spec.parameter_store)):
            values = env.get(key) or {}
            if not isinstance(values, dict):
                self.fail(f"env/{key} must be a mapping of names to values", "env", key)
            target.update({str(k): _scalar(v) for k, v in values.items()})
        exported = env.get("exported-variables") or []
        if not isinstance(exported, list):
            self.fail("env/exported-variables must be a list of variable names", "env", "exported-variables")
        spec.exported_variables = [str(name) for name in exported]

    def env_01(self, env, spec: Buildspec) -> None:
        if not isinstance(env, dict):
            self.fail("environment_variables must be a mapping", "environment_variables")
        self.unknown_keys(env, ENV_KEYS_01, "environment_variables", ("environment_variables",))
        for key, target in (("plaintext", spec.variables), ("parameter-store", spec.parameter_store)):
            values = env.get(key) or {}
            if not isinstance(values, dict):
                self.fail(f"environment_variables/{key} must be a mapping of names to values", "environment_variables", key)
            target.update({str(k): _scalar(v) for k, v in values.items()})

    def phase(self, name: str, body) -> Phase:
        if not isinstance(body, dict):
            self.fail(f"phase '{name}' must be a mapping with commands", "phases", name)
        self.unknown_keys(body, PHASE_KEYS, f"phase '{name}'", ("phases", name))
        on_failure = str(body.get("on-failure", "ABORT"))
        if on_failure not in ON_FAILURE:
            self.fail(f"invalid on-failure value '{on_failure}' in phase '{name}'; use ABORT or CONTINUE", "phases", name, "on-failure")
        return Phase(name, self.commands(body.get("commands"), name, "commands"),
                     self.commands(body.get("finally"), name, "finally"), on_failure)

    def commands(self, commands, phase: str, key: str) -> list[str]:
        if commands is None:
            return []
        if not isinstance(commands, list):
            self.fail(f"{key} of phase '{phase}' must be a list of commands", "phases", phase, key)
        for index, command in enumerate(commands):
            if isinstance(command, (dict, list)):
                self.fail(f"Expected Commands[{index}] to be of string type: found subkeys instead (phase '{phase}', {key}); "
                          "quote a command that contains ': '", "phases", phase, key)
        return [_scalar(c) for c in commands]

    def artifacts(self, artifacts, spec: Buildspec) -> None:
        if not isinstance(artifacts, dict):
            self.fail("artifacts must be a mapping", "artifacts")
        allowed = ARTIFACT_KEYS_01 if spec.version == "0.1" else ARTIFACT_KEYS
        self.unknown_keys(artifacts, allowed, "artifacts", ("artifacts",))
        if "files" in artifacts:
            spec.artifacts = self.artifact(artifacts, ("artifacts",))
        secondary = artifacts.get("secondary-artifacts") or {}
        if not isinstance(secondary, dict):
            self.fail("secondary-artifacts must be a mapping of artifact identifiers to artifacts", "artifacts", "secondary-artifacts")
        for identifier, body in secondary.items():
            path = ("artifacts", "secondary-artifacts", identifier)
            if not isinstance(body, dict) or "files" not in body:
                self.fail(f"secondary artifact '{identifier}' needs files", *path)
            self.unknown_keys(body, ARTIFACT_KEYS[:-1], f"secondary artifact '{identifier}'", path)
            spec.secondary_artifacts[str(identifier)] = self.artifact(body, path)

    def artifact(self, body: dict, path: tuple) -> ArtifactSpec:
        files = body.get("files")
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not files:
            self.fail("artifacts files must be a list of paths or patterns", *path, "files")
        exclude = body.get("exclude-paths") or []
        return ArtifactSpec([_scalar(f) for f in files], _optional(body.get("name")), _yes(body.get("discard-paths")),
                            _optional(body.get("base-directory")), [_scalar(e) for e in ([exclude] if isinstance(exclude, str) else exclude)])


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _optional(value) -> str | None:
    return None if value is None else _scalar(value)


def _yes(value) -> bool:
    return value is True or str(value).lower() in ("yes", "true")


def _line_of(node, path: tuple) -> int | None:
    """The 1-based line of the deepest key of ``path`` that exists in the YAML node tree."""
    line = None
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value_node in node.value:
            if key_node.value == str(key):
                line, node = key_node.start_mark.line + 1, value_node
                break
        else:
            break
    return line
