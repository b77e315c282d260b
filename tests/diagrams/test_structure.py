import pytest
from dot_helpers import edge_lines, node_line
from diagram_samples import get_pipeline_response, seven_stage_pipeline, sequential_and_parallel_pipeline, stage_state

from codepipeline_lab.diagrams import DiagramInputError, pipeline_structure
from codepipeline_lab.diagrams.style import CATEGORY_COLOURS


def test_stages_are_clusters_in_declaration_order():
    source = pipeline_structure(seven_stage_pipeline()).source
    clusters = [line.split('"')[1] for line in source.splitlines() if line.strip().startswith('subgraph "cluster_')]
    assert clusters == ["cluster_stage/" + s for s in
                        ["Source", "Build", "Test", "DeployStaging", "LoadTest", "Approval", "DeployProd"]]


def test_each_action_shows_name_category_provider_and_category_colour():
    source = pipeline_structure(seven_stage_pipeline()).source
    line = node_line(source, "Approval.Approve")
    assert "Approval · Manual" in line and "<B>Approve</B>" in line
    assert CATEGORY_COLOURS["Approval"] in line
    assert CATEGORY_COLOURS["Build"] in node_line(source, "Build.Build")


def test_parallel_actions_share_a_column_and_sequential_ones_follow():
    source = pipeline_structure(sequential_and_parallel_pipeline()).source
    assert not edge_lines(source, "Build.Lint", "Build.Compile")   # same runOrder: no order between them
    assert edge_lines(source, "Build.Lint", "Build.Package")
    assert edge_lines(source, "Build.Compile", "Build.Package")


def test_transitions_join_stage_boxes():
    source = pipeline_structure(seven_stage_pipeline()).source
    [edge] = edge_lines(source, "Source.Source", "Build.Build")
    assert 'ltail="cluster_stage/Source"' in edge and 'lhead="cluster_stage/Build"' in edge
    # both parallel Test actions sit after Build: the one not joined visibly is held by an invisible edge
    assert len(edge_lines(source, "Build.Build", "Test.UnitTests") + edge_lines(source, "Build.Build", "Test.IntegrationTests")) == 2


def test_disabled_transition_is_marked_with_its_reason():
    state = {"stageStates": [stage_state("DeployProd", [("DeployProd", None)], enabled=False, reason="Release freeze")]}
    source = pipeline_structure(seven_stage_pipeline(), state=state).source
    marker = node_line(source, "transition/DeployProd")
    assert "transition disabled<BR/>Release freeze" in marker
    [into_marker] = edge_lines(source, "Approval.Approve", "transition/DeployProd")
    [out_of_marker] = edge_lines(source, "transition/DeployProd", "DeployProd.DeployProd")
    assert "style=dashed" in into_marker and "arrowhead=tee" in out_of_marker
    assert 'lhead="cluster_stage/DeployProd"' in out_of_marker
    [enabled] = edge_lines(source, "Source.Source", "Build.Build")
    assert "disabled" not in enabled


def test_get_pipeline_answer_and_bare_declaration_draw_the_same():
    declaration = seven_stage_pipeline()
    assert pipeline_structure(declaration).source == pipeline_structure(get_pipeline_response(declaration)).source


def test_repr_names_the_pipeline_without_memory_address():
    assert repr(pipeline_structure(seven_stage_pipeline())) == \
        "<pipeline structure diagram of pipeline 'WebApp' (7 stages, 8 actions)>"


def test_invalid_declaration_is_drawn_with_the_broken_parts_marked():
    declaration = sequential_and_parallel_pipeline()
    declaration["stages"][2]["actions"][0]["inputArtifacts"] = [{"name": "Missing"}]
    declaration["stages"].append({"name": "Empty", "actions": []})
    source = pipeline_structure(declaration).source
    assert "breaks a rule" in node_line(source, "Deploy.Ship")
    assert "breaks a rule" not in node_line(source, "Build.Compile")
    assert "Input artifact &#x27;Missing&#x27; of stage &#x27;Deploy&#x27;, action &#x27;Ship&#x27; is not available" in source
    assert "Stage &#x27;Empty&#x27; has no actions" in source
    assert node_line(source, "stage/Empty/empty")


def test_a_source_action_outside_the_first_stage_is_marked():
    declaration = seven_stage_pipeline()
    declaration["stages"][1]["actions"][0]["actionTypeId"]["category"] = "Source"
    source = pipeline_structure(declaration).source
    assert "Source actions may appear only in the first stage" in source
    assert "breaks a rule" in node_line(source, "Build.Build")


def test_not_a_declaration_raises():
    with pytest.raises(DiagramInputError, match="'stages' list"):
        pipeline_structure({"name": "x"})
    with pytest.raises(DiagramInputError, match="declaration dict"):
        pipeline_structure(["not", "a", "pipeline"])


def test_a_name_without_a_lab_says_to_pass_the_lab():
    with pytest.raises(DiagramInputError, match="lab=lab"):
        pipeline_structure("WebApp")


def test_dot_source_is_deterministic():
    assert pipeline_structure(seven_stage_pipeline()).source == pipeline_structure(seven_stage_pipeline()).source
