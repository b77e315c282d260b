"""The `codepipeline-lab` command line."""

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


def validate(path: str, region: str) -> int:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        print(f"{path}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"{path}: not valid JSON: {exc}", file=sys.stderr)
        return 2
    problems = validation.problems(_declaration(document), validation.Context(region=region))
    for problem in problems:
        print(f"{path}: {problem.path}: {problem.message} [{problem.code}]")
    if problems:
        print(f"{path}: {len(problems)} problem(s); CodePipeline would reject this declaration.")
        return 1
    print(f"{path}: valid (the IAM role's trust policy is checked only inside a Lab).")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codepipeline-lab", description="Tools of the CodePipeline Lab course.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check a pipeline declaration (JSON) as CodePipeline would")
    check.add_argument("file", help="JSON of `aws codepipeline get-pipeline`, of create-pipeline --cli-input-json, or a bare declaration")
    check.add_argument("--region", default="us-east-1", help="the pipeline's region (default us-east-1)")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.file, args.region)
    return 2


if __name__ == "__main__":
    sys.exit(main())
