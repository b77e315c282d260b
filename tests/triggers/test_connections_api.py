"""CodeStar Connections and CodeConnections through boto3: life cycle, both ARN styles, errors."""

import pytest
from botocore.exceptions import ClientError


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_a_new_connection_is_pending_until_the_handshake_is_completed(lab):
    client = lab.client("codestar-connections")
    arn = client.create_connection(ProviderType="GitHub", ConnectionName="my-github")["ConnectionArn"]
    assert arn.startswith("arn:aws:codestar-connections:us-east-1:123456789012:connection/")
    shown = client.get_connection(ConnectionArn=arn)["Connection"]
    assert shown == {"ConnectionName": "my-github", "ConnectionArn": arn, "ProviderType": "GitHub",
                     "OwnerAccountId": "123456789012", "ConnectionStatus": "PENDING"}
    assert lab.complete_connection(arn) == "AVAILABLE"
    assert client.get_connection(ConnectionArn=arn)["Connection"]["ConnectionStatus"] == "AVAILABLE"


def test_codeconnections_makes_its_own_arns_and_both_apis_see_every_connection(lab):
    new = lab.client("codeconnections").create_connection(ProviderType="GitLab", ConnectionName="gl")["ConnectionArn"]
    old = lab.client("codestar-connections").create_connection(ProviderType="Bitbucket", ConnectionName="bb")["ConnectionArn"]
    assert new.startswith("arn:aws:codeconnections:us-east-1:123456789012:connection/")
    assert lab.client("codestar-connections").get_connection(ConnectionArn=new)["Connection"]["ProviderType"] == "GitLab"
    assert lab.client("codeconnections").get_connection(ConnectionArn=old)["Connection"]["ProviderType"] == "Bitbucket"
    listed = lab.client("codeconnections").list_connections()["Connections"]
    assert [c["ConnectionArn"] for c in listed] == [new, old]
    only = lab.client("codeconnections").list_connections(ProviderTypeFilter="Bitbucket")["Connections"]
    assert [c["ConnectionName"] for c in only] == ["bb"]


def test_list_connections_pages_with_next_token(lab):
    client = lab.client("codestar-connections")
    for n in range(3):
        client.create_connection(ProviderType="GitHub", ConnectionName=f"c{n}")
    first = client.list_connections(MaxResults=2)
    second = client.list_connections(MaxResults=2, NextToken=first["NextToken"])
    assert [c["ConnectionName"] for c in first["Connections"] + second["Connections"]] == ["c0", "c1", "c2"]
    assert "NextToken" not in second


def test_deleted_unknown_and_other_account_connections_are_not_found(lab):
    client = lab.client("codestar-connections")
    arn = client.create_connection(ProviderType="GitHub", ConnectionName="gone")["ConnectionArn"]
    other = lab.client("codestar-connections", account_id="222222222222")
    with pytest.raises(ClientError) as seen:
        other.get_connection(ConnectionArn=arn)
    assert error_code(seen) == "ResourceNotFoundException"
    client.delete_connection(ConnectionArn=arn)
    for call in (lambda: client.get_connection(ConnectionArn=arn), lambda: client.delete_connection(ConnectionArn=arn),
                 lambda: client.list_tags_for_resource(ResourceArn=arn)):
        with pytest.raises(ClientError) as seen:
            call()
        assert error_code(seen) == "ResourceNotFoundException"
        assert arn in seen.value.response["Error"]["Message"]


def test_tags_on_connections(lab):
    client = lab.client("codestar-connections")
    arn = client.create_connection(ProviderType="GitHub", ConnectionName="t", Tags=[{"Key": "team", "Value": "a"}])["ConnectionArn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "dev"}])
    client.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "b"}]
    with pytest.raises(ClientError) as seen:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{n}", "Value": ""} for n in range(200)])
    assert error_code(seen) == "LimitExceededException"


def test_hosts_and_their_connections(lab):
    client = lab.client("codestar-connections")
    host = client.create_host(Name="ghes", ProviderType="GitHubEnterpriseServer", ProviderEndpoint="https://git.example.com")["HostArn"]
    assert host.startswith("arn:aws:codestar-connections:us-east-1:123456789012:host/ghes-")
    shown = client.get_host(HostArn=host)
    shown.pop("ResponseMetadata")
    assert shown == {"Name": "ghes", "Status": "PENDING", "ProviderType": "GitHubEnterpriseServer",
                     "ProviderEndpoint": "https://git.example.com"}
    arn = client.create_connection(ConnectionName="on-host", HostArn=host)["ConnectionArn"]
    shown = client.get_connection(ConnectionArn=arn)["Connection"]
    assert (shown["ProviderType"], shown["HostArn"]) == ("GitHubEnterpriseServer", host)
    assert [c["ConnectionName"] for c in client.list_connections(HostArnFilter=host)["Connections"]] == ["on-host"]
    assert [h["HostArn"] for h in client.list_hosts()["Hosts"]] == [host]
    client.delete_host(HostArn=host)
    with pytest.raises(ClientError) as seen:
        client.get_host(HostArn=host)
    assert error_code(seen) == "ResourceNotFoundException"


def test_bad_requests(lab):
    client = lab.client("codestar-connections")
    with pytest.raises(ClientError) as seen:
        client.create_connection(ConnectionName="nothing")
    assert error_code(seen) == "ValidationException"
    with pytest.raises(ClientError) as seen:
        client.create_host(Name="h", ProviderType="GitHub", ProviderEndpoint="https://github.com")
    assert error_code(seen) == "ValidationException"


def test_a_region_holds_at_most_250_connections(lab):
    client = lab.client("codestar-connections")
    for n in range(250):
        client.create_connection(ProviderType="GitHub", ConnectionName=f"c{n}")
    with pytest.raises(ClientError) as seen:
        client.create_connection(ProviderType="GitHub", ConnectionName="one-too-many")
    assert error_code(seen) == "LimitExceededException"
    lab.client("codestar-connections", region_name="us-west-2").create_connection(ProviderType="GitHub", ConnectionName="elsewhere")


def test_complete_connection_refuses_an_unknown_arn(lab):
    with pytest.raises(ValueError, match="No connection or host"):
        lab.complete_connection("arn:aws:codestar-connections:us-east-1:123456789012:connection/nope")
