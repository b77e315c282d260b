"""Template values CloudFormation accepts as strings, turned into what the API wants (found on
aws-samples/aws-codepipeline-time-windows, which writes RunOrder: '1')."""

from codepipeline_lab.runner.cfn_pipeline import declaration


def test_run_order_written_as_a_string_becomes_an_integer():
    properties = {"Name": "p", "RoleArn": "arn:aws:iam::123456789012:role/r",
                  "Stages": [{"Name": "Source", "Actions": [{"Name": "A", "RunOrder": "1",
                                                             "ActionTypeId": {"Category": "Source", "Owner": "AWS",
                                                                              "Provider": "S3", "Version": 1}}]}]}
    action = declaration(properties, "p")["stages"][0]["actions"][0]
    assert action["runOrder"] == 1 and action["actionTypeId"]["version"] == "1"
