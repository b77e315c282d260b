"""The `codepipeline-lab` command line: `validate` checks a declaration or template offline,
`run` runs it end to end in a Lab (see docs/runner.md)."""

from __future__ import annotations

import argparse
import json
import sys

from codepipeline_lab.simulator import validation


def _declaration(document):
    """Accept get-pipeline output, create-pipeline --cli-input-json, or a bare declaration."""
    if isinstance(document, dict) and isinstance(document.get("pipeline"), dict):
        return document["pipeline"]
    return document


def _read_document(path: str):
    """(document, None) or (None, exit status) after printing why the file cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        print(f"{path}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
        return None, 2
    except UnicodeDecodeError as exc:
        print(f"{path}: not valid JSON: {exc}", file=sys.stderr)
        return None, 2
    try:
        return json.loads(text), None
    except ValueError as exc:
        json_error = exc
    from codepipeline_lab.simulator.services.cloudformation.template_yaml import load
    try:
        document = load(text)
    except Exception:
        document = None
    if isinstance(document, dict) and "Resources" in document:
        return document, None           # a YAML CloudFormation template
    print(f"{path}: not valid JSON: {json_error}", file=sys.stderr)
    return None, 2


def _check(path: str, place: str, declaration, context) -> int:
    from codepipeline_lab.runner import offline
    unknown = offline.unknown_custom_types(declaration, context.custom_action_types) if isinstance(declaration, dict) else {}
    if unknown:
        names = ", ".join("/".join(key) for key in sorted(unknown))
        print(f"{path}: {place}note: custom action type(s) {names} not declared in the file or by --custom-action-type: "
              f"checked only against the rules for any custom type (0-5 artifacts each way, any configuration)")
    context = validation.Context(region=context.region, custom_action_types={**context.custom_action_types, **unknown})
    problems = validation.problems(declaration, context)
    for problem in problems:
        print(f"{path}: {place}{problem.path}: {problem.message} [{problem.code}]")
    return len(problems)


def validate(path: str, region: str, custom_types: list[str] | None = None) -> int:
    from codepipeline_lab.runner import offline
    from codepipeline_lab.runner.loading import Input
    named, option_problems = offline.custom_types_named(custom_types or [])
    if option_problems:
        for line in option_problems:
            print(line, file=sys.stderr)
        return 2
    document, status = _read_document(path)
    if status is not None:
        return status
    if not (isinstance(document, dict) and "Resources" in document):
        count = _check(path, "", _declaration(document), validation.Context(region=region, custom_action_types=named))
        if count:
            print(f"{path}: {count} problem(s); CodePipeline would reject this declaration.")
            return 1
        print(f"{path}: valid (the IAM role's trust policy is checked only inside a Lab).")
        return 0
    source = Input(path, "template", document)
    if not isinstance(document["Resources"], dict) or not source.pipelines():
        print(f"{path}: Resources: the template declares no AWS::CodePipeline::Pipeline resource", file=sys.stderr)
        return 2
    context = validation.Context(region=region, custom_action_types={**offline.custom_types_of_template(source), **named})
    total = 0
    for logical, declaration, placeholders, unresolved in offline.declarations(source, region):
        place = f"Resources.{logical}: "
        if unresolved:
            print(f"{path}: {unresolved}", file=sys.stderr)
            return 2
        if placeholders:
            print(f"{path}: {place}note: {len(placeholders)} value(s) come from other resources "
                  f"({', '.join(placeholders[:4])}{' …' if len(placeholders) > 4 else ''}) and are checked with placeholders")
        total += _check(path, place, declaration, context)
    if total:
        print(f"{path}: {total} problem(s); CodePipeline would reject the template's pipeline(s).")
        return 1
    print(f"{path}: valid (the IAM role's trust policy is checked only inside a Lab).")
    return 0


def _run_command(args) -> int:
    from codepipeline_lab.runner.run import Options, run
    return run(Options(file=args.file, sources=args.source, parameters=args.parameter, variables=args.variable,
                       pipeline=args.pipeline, approve=args.approve, reject=args.reject, out=args.out,
                       seed=args.seed, strict=args.strict, region=args.region))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codepipeline-lab", description="Tools of the CodePipeline Lab course.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check a pipeline declaration or CloudFormation template as CodePipeline would")
    check.add_argument("file", help="JSON of `aws codepipeline get-pipeline`, of create-pipeline --cli-input-json, a bare "
                                    "declaration, or a CloudFormation template (YAML or JSON)")
    check.add_argument("--region", default="us-east-1", help="the pipeline's region (default us-east-1)")
    check.add_argument("--custom-action-type", action="append", default=[], metavar="Owner/Category/Provider/Version",
                       help="a custom action type registered in the account (repeatable), e.g. Custom/Deploy/MyTool/1")
    runner = commands.add_parser("run", help="run a pipeline end to end in a simulated account, with your folders as sources")
    runner.add_argument("file", help="a pipeline declaration (JSON) or a CloudFormation template (YAML or JSON)")
    runner.add_argument("--source", action="append", default=[], metavar="[ACTION=]DIR",
                        help="the folder a source action reads (DIR for all, or ActionName=DIR; repeatable)")
    runner.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE", help="a template parameter (repeatable)")
    runner.add_argument("--pipeline", help="which pipeline of a template with several (logical id or Name)")
    decision = runner.add_mutually_exclusive_group()
    decision.add_argument("--approve", action="store_true", help="approve every manual approval")
    decision.add_argument("--reject", action="store_true", help="reject the first manual approval")
    runner.add_argument("--variable", action="append", default=[], metavar="NAME=VALUE", help="a pipeline variable (repeatable)")
    runner.add_argument("--out", metavar="DIR", help="write artifacts, build logs, events and summary.json here")
    runner.add_argument("--seed", type=int, default=0, help="the Lab's seed (ids and timestamps repeat for the same seed)")
    runner.add_argument("--strict", action="store_true", help="create nothing the file does not declare; report it instead")
    runner.add_argument("--region", default="us-east-1", help="the Lab's region (default us-east-1)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if exit_.code in (0, None) else 2
    if args.command == "validate":
        return validate(args.file, args.region, args.custom_action_type)
    if args.command == "run":
        return _run_command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
