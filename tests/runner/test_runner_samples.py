"""Public sample pipelines kept under examples/samples/, run end to end from their own templates."""

from pathlib import Path

from codepipeline_lab.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "examples" / "samples"


def test_cross_region_codedeploy_sample(capsys):
    sample = SAMPLES / "cross-region"
    parameters = {"S3SourceBucket": "xr-source", "S3SourceBucketKey": "app.zip", "ApplicationName": "xr-app",
                  "DeploymentGroupName": "xr-group", "USEast1ArtifactStoreBucket": "xr-artifacts-use1",
                  "USWest2ArtifactStoreBucket": "xr-artifacts-usw2", "APSouthEast2ArtifactStoreBucket": "xr-artifacts-apse2"}
    argv = ["run", str(sample / "pipeline.yaml"), "--source", str(sample / "app")]
    for key, value in parameters.items():
        argv += ["--parameter", f"{key}={value}"]
    code = main(argv)
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "created S3 bucket xr-artifacts-apse2 in ap-southeast-2 (artifact store)" in printed
    for action in ("SecondRegion1Deploy", "SecondRegion2Deploy", "PrimaryRegionDeploy"):
        assert any(f"Prod/{action}" in line and "Succeeded" in line and "lifecycle hooks" in line for line in printed.splitlines())
