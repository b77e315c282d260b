from codepipeline_lab.simulator.identity.trust import trusts_codepipeline


def statement(effect="Allow", service="codepipeline.amazonaws.com", action="sts:AssumeRole"):
    return {"Effect": effect, "Principal": {"Service": service}, "Action": action}


def test_allow_for_codepipeline_is_trusted():
    assert trusts_codepipeline({"Statement": [statement()]})


def test_a_list_of_service_principals_is_fine():
    assert trusts_codepipeline({"Statement": [statement(service=["codebuild.amazonaws.com", "codepipeline.amazonaws.com"])]})


def test_another_service_only_is_not_trusted():
    assert not trusts_codepipeline({"Statement": [statement(service="codebuild.amazonaws.com")]})


def test_a_deny_statement_wins():
    assert not trusts_codepipeline({"Statement": [statement(), statement(effect="Deny")]})


def test_a_deny_alone_is_not_trust():
    assert not trusts_codepipeline({"Statement": [statement(effect="Deny")]})


def test_url_encoded_json_as_iam_returns_it():
    assert trusts_codepipeline('%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22codepipeline.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D')
