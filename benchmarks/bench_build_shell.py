"""Benchmark: a pipeline whose build reaches the account (run by hand or with `make bench`).

The classic pipeline of the course, its Build action running a buildspec that calls the AWS
CLI (`aws s3 cp`) and `curl` against a load balancer of the Lab (through the Lab's HTTP
proxy), beside the same commands run with `sh -c` directly against a moto server and a local
HTTP server. The commands dominate both (each `aws` call starts a Python interpreter), so the
ratio says what the pipeline adds around them. Aim: under 2x.
"""

from __future__ import annotations

import http.server
import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import approve_all, classic_declaration, median_ms, one_execution, prepare  # noqa: E402

from codepipeline_lab import Lab  # noqa: E402
from codepipeline_lab.setup_helpers import create_bucket, create_service_role  # noqa: E402

COMMANDS = ["echo '<h1>hello</h1>' > index.html", "aws s3 cp index.html s3://drop/index.html --quiet",
            "curl -s -f http://{host}/health"]
ENVIRONMENT = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"}


def load_balancer(lab) -> str:
    """An ALB whose listener answers /health with a fixed response; returns its DNS name."""
    ec2, elbv2 = lab.client("ec2"), lab.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    balancer = elbv2.create_load_balancer(Name="test-alb", Subnets=subnets)["LoadBalancers"][0]
    elbv2.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain", "MessageBody": "ok"}}])
    return balancer["DNSName"]


def buildspec(host: str) -> str:
    return yaml.safe_dump({"version": 0.2, "phases": {"build": {"commands": [c.format(host=host) for c in COMMANDS]}},
                           "artifacts": {"files": ["**/*"]}}, sort_keys=False)


def bench_pipeline() -> float:
    with Lab(seed=0) as lab:
        role = prepare(lab)
        host = load_balancer(lab)
        create_bucket(lab, "drop")
        build_role = create_service_role(lab, "CodeBuildRole", "codebuild.amazonaws.com")
        check = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo checking\n"
        for name, spec in (("build", buildspec(host)), ("unit", check), ("lint", check), ("load", check)):
            lab.client("codebuild").create_project(name=name, source={"type": "CODEPIPELINE", "buildspec": spec},
                                                   artifacts={"type": "CODEPIPELINE"}, environment=ENVIRONMENT, serviceRole=build_role)
        create_bucket(lab, "staging-site")
        create_bucket(lab, "production-site")
        lab.client("codepipeline").create_pipeline(pipeline=classic_declaration(role))
        lab.run()
        approve_all(lab, "classic")
        lab.run()
        status = lab.client("codepipeline").list_pipeline_executions(pipelineName="classic")["pipelineExecutionSummaries"][0]["status"]
        if status != "Succeeded":
            raise SystemExit(f"the pipeline did not succeed ({status}); the benchmark would measure a failure")
        return median_ms(one_execution(lab, "classic"), runs=10, warm_up=2)


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def bench_baseline() -> float:
    """The same commands with sh -c, against moto's own server and a local HTTP server."""
    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.ERROR)      # no request lines on the terminal
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    host, port = server.get_host_and_port()
    env = dict(os.environ, AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
               AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    subprocess.run(["aws", "s3", "mb", "s3://drop"], env=env, check=True, capture_output=True)
    workspace = tempfile.mkdtemp()
    commands = [c.format(host=f"127.0.0.1:{web.server_address[1]}") for c in COMMANDS] + ["echo checking"] * 3

    def run():
        for command in commands:
            subprocess.run(["sh", "-c", command], env=env, cwd=workspace, check=True, capture_output=True)
    try:
        return median_ms(run, runs=10, warm_up=2)
    finally:
        web.shutdown()
        server.stop()


if __name__ == "__main__":
    pipeline_ms, baseline_ms = bench_pipeline(), bench_baseline()
    print(f"classic pipeline, build calling `aws s3 cp` and `curl` (ALB through the Lab's proxy): median {pipeline_ms:.1f} ms")
    print(f"the same commands with sh -c against a moto server and a local HTTP server:          median {baseline_ms:.1f} ms")
    print(f"ratio: {pipeline_ms / baseline_ms:.2f}x   (aim: < 2x)")
