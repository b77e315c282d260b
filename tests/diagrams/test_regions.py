from dot_helpers import edge_lines, node_line
from diagram_samples import get_pipeline_response, seven_stage_pipeline, two_region_pipeline

from codepipeline_lab.diagrams import regions_view


def test_one_cluster_per_region_each_with_its_store():
    diagram = regions_view(get_pipeline_response(two_region_pipeline()))
    source = diagram.source
    east = source.split('subgraph "cluster_region/us-east-1"')[1].split("}")[0]
    west = source.split('subgraph "cluster_region/eu-west-1"')[1].split("}")[0]
    assert "us-east-1 (pipeline&#x27;s region)" in east and "artifacts-us-east-1" in east
    assert "Deploy.DeployUS" in east and "Build.Build" in east
    assert "artifacts-eu-west-1" in west and "KMS key abcd" in west and "Deploy.DeployEU" in west
    assert repr(diagram) == "<regions diagram of pipeline 'GlobalApp' (2 regions, home us-east-1)>"


def test_input_artifacts_of_a_cross_region_action_are_copied_between_stores():
    source = regions_view(two_region_pipeline(), pipeline_region="us-east-1").source
    [copy] = edge_lines(source, "store/us-east-1", "store/eu-west-1")
    assert 'label="copies BuildEuWest1"' in copy
    assert edge_lines(source, "store/eu-west-1", "Deploy.DeployEU")


def test_single_region_pipeline_has_one_cluster_and_no_copies():
    source = regions_view(seven_stage_pipeline(), pipeline_region="us-east-1").source
    assert source.count("subgraph \"cluster_region/") == 1
    assert "copies" not in source
    assert "codepipeline-us-east-1-artifacts" in node_line(source, "store/us-east-1")


def test_action_region_without_a_store_is_marked():
    declaration = two_region_pipeline()
    declaration["artifactStores"].pop("eu-west-1")
    source = regions_view(declaration, pipeline_region="us-east-1").source
    assert "none declared" in node_line(source, "store/eu-west-1")
    assert "artifactStores has no artifact store for region eu-west-1" in source
