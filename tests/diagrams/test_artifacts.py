from dot_helpers import edge_lines, node_line
from diagram_samples import EXECUTION_1, EXECUTION_2, sequential_and_parallel_pipeline, seven_stage_pipeline, webapp_run

from codepipeline_lab.diagrams import artifact_flow


def test_several_artifacts_sit_between_producers_and_consumers():
    source = artifact_flow(sequential_and_parallel_pipeline()).source
    for name in ["AppSource", "ConfigSource", "Binary", "Reports", "Package"]:
        assert f"<B>{name}</B>" in node_line(source, f"artifact/{name}")
    assert edge_lines(source, "Source.App", "artifact/AppSource")
    assert edge_lines(source, "Build.Compile", "artifact/Binary")
    assert edge_lines(source, "Build.Compile", "artifact/Reports")
    assert edge_lines(source, "artifact/AppSource", "Build.Compile")
    assert edge_lines(source, "artifact/ConfigSource", "Build.Compile")
    assert edge_lines(source, "artifact/AppSource", "Build.Lint")
    assert edge_lines(source, "artifact/Package", "Deploy.Ship")
    assert not edge_lines(source, "artifact/Reports", "Deploy.Ship")


def test_artifacts_are_drawn_inside_the_artifact_store():
    source = artifact_flow(sequential_and_parallel_pipeline()).source
    store = source.split("subgraph cluster_artifact_store")[1].split("}")[0]
    assert "artifact store — S3 bucket artifacts-bucket" in store
    assert "artifact/Binary" in store


def test_a_finished_execution_shows_the_real_s3_keys():
    diagram = artifact_flow(seven_stage_pipeline(), action_executions={"actionExecutionDetails": webapp_run(EXECUTION_1, "DeployProd")})
    assert "WebApp/SourceOutp/Abc1234" in node_line(diagram.source, "artifact/SourceOutput")
    assert "WebApp/BuildOutpu/Def5678" in node_line(diagram.source, "artifact/BuildOutput")
    assert repr(diagram) == ("<artifact flow diagram of pipeline 'WebApp' "
                             "(2 artifacts, execution 11111111-aaaa-4aaa-8aaa-000000000001)>")


def test_keys_come_from_the_execution_asked_for():
    records = webapp_run(EXECUTION_1, "DeployProd") + webapp_run(EXECUTION_2, "Source")
    for record in records:
        if record["pipelineExecutionId"] == EXECUTION_2:
            for artifact in record["output"]["outputArtifacts"]:
                artifact["s3location"] = {"bucket": "b", "key": "WebApp/SourceOutp/Zzz9999"}
    source = artifact_flow(seven_stage_pipeline(), action_executions=records, execution_id=EXECUTION_2).source
    assert "Zzz9999" in node_line(source, "artifact/SourceOutput")
    assert "Def5678" not in source
