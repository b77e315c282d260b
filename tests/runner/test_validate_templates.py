"""`codepipeline-lab validate` on CloudFormation templates and custom action types, offline."""

from runner_kit import TEMPLATE, action, s3_build_deploy, write_json, write_text

from codepipeline_lab.cli import main

CUSTOM = {"name": "Deploy", "actions": [action("Ship", "Deploy", "MyTool", {"Target": "prod"}, ["Code"], owner="Custom")]}


def test_template_is_checked_with_placeholders(tmp_path, capsys):
    path = write_text(tmp_path, TEMPLATE)
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert f"{path}: Resources.Pipeline: note: 3 value(s) come from other resources" in out
    assert "valid" in out.splitlines()[-1]


def test_template_problems_name_the_pipeline_resource(tmp_path, capsys):
    path = write_text(tmp_path, TEMPLATE.replace("Provider: Manual", "Provider: Manuel"))
    assert main(["validate", path]) == 1
    out = capsys.readouterr().out
    assert "Resources.Pipeline: pipeline.stages[1].actions[0].actionTypeId:" in out


def test_custom_action_unknown_is_checked_loosely_and_said_so(tmp_path, capsys):
    document = s3_build_deploy()
    document["stages"][2] = CUSTOM
    path = write_json(tmp_path, document)
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert "custom action type(s) Custom/Deploy/MyTool/1 not declared" in out


def test_custom_action_from_option_and_from_template(tmp_path, capsys):
    document = s3_build_deploy()
    document["stages"][2] = CUSTOM
    path = write_json(tmp_path, document)
    assert main(["validate", path, "--custom-action-type", "Custom/Deploy/MyTool/1"]) == 0
    assert "not declared" not in capsys.readouterr().out
    assert main(["validate", path, "--custom-action-type", "nonsense"]) == 2
    template = TEMPLATE + """
  Tool:
    Type: AWS::CodePipeline::CustomActionType
    Properties:
      Category: Deploy
      Provider: MyTool
      Version: "1"
      InputArtifactDetails: {MinimumCount: 1, MaximumCount: 1}
      OutputArtifactDetails: {MinimumCount: 0, MaximumCount: 0}
      ConfigurationProperties:
        - {Name: Target, Required: true, Key: true, Secret: false}
"""
    template = template.replace("""            - Name: Approve
              ActionTypeId: {Category: Approval, Owner: AWS, Provider: Manual, Version: 1}""",
                                """            - Name: Ship
              ActionTypeId: {Category: Deploy, Owner: Custom, Provider: MyTool, Version: 1}
              InputArtifacts: [{Name: Src}]""")
    path = write_text(tmp_path, template, "custom.yaml")
    assert main(["validate", path]) == 1           # the template's type requires Target
    out = capsys.readouterr().out
    assert "missing required configuration 'Target'" in out and "not declared" not in out
