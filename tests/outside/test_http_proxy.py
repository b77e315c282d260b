"""Load balancers that answer HTTP through the Lab's proxy: listeners, rules, actions, targets,
and a proxy that never reaches the real network."""

import base64
import io
import json
import socket
import subprocess
import urllib.error
import urllib.request
import zipfile

import pytest

from codepipeline_lab.setup_helpers import create_service_role
from codepipeline_lab.simulator.outside.http_proxy import RESPONSE_TAG, HttpProxy


@pytest.fixture
def proxy(lab):
    """The proxy's URL: the Lab's own when it offers one, else one started here."""
    if hasattr(type(lab), "http_proxy"):
        yield lab.http_proxy
        return
    own = HttpProxy(lab.account)
    own.start()
    yield own.url
    own.stop()


@pytest.fixture
def net(lab):
    """A VPC with two subnets and an Application Load Balancer in them."""
    ec2, elb = lab.client("ec2"), lab.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
               for n, zone in ((1, "a"), (2, "b"))]
    balancer = elb.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]
    return {"ec2": ec2, "elb": elb, "vpc": vpc, "subnets": subnets, "arn": balancer["LoadBalancerArn"], "dns": balancer["DNSName"]}


def fixed(body, status="200", content_type="text/plain"):
    return {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": status, "ContentType": content_type, "MessageBody": body}}


def listen(net, *default_actions, port=80, protocol="HTTP"):
    return net["elb"].create_listener(LoadBalancerArn=net["arn"], Protocol=protocol, Port=port,
                                      DefaultActions=list(default_actions))["Listeners"][0]["ListenerArn"]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(proxy, url, method="GET", data=None, headers=None):
    """(status, headers, body) of a request through the proxy, whatever the status."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}), _NoRedirects())
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read()


def curl(proxy, url, *options):
    """curl in its own process (the Lab's thread waits meanwhile, as it does for a build)."""
    done = subprocess.run(["curl", "-s", "--noproxy", "", "-x", proxy, "-w", "\n%{http_code}", *options, url],
                          capture_output=True, text=True, timeout=60)
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


# -- fixed responses, rules, redirects ---------------------------------------------------------

def test_fixed_response_of_the_default_action(proxy, net):
    listen(net, fixed("hello from the load balancer\n", "200", "text/plain"))
    status, headers, body = fetch(proxy, f"http://{net['dns']}/")
    assert (status, body) == (200, b"hello from the load balancer\n")
    assert headers["Content-Type"] == "text/plain"
    assert headers["Server"] == "awselb/2.0"


def test_rules_are_tried_by_priority_then_the_default(proxy, net):
    elb = net["elb"]
    listener = listen(net, fixed("default", "404"))
    elb.create_rule(ListenerArn=listener, Priority=10, Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
                    Actions=[fixed("api")])
    elb.create_rule(ListenerArn=listener, Priority=5, Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/v?/*"]}}],
                    Actions=[fixed("versioned api")])
    base = f"http://{net['dns']}"
    assert fetch(proxy, f"{base}/api/v2/items")[::2] == (200, b"versioned api")      # priority 5 before 10
    assert fetch(proxy, f"{base}/api/items?v=2")[::2] == (200, b"api")               # the query is not part of the path
    assert fetch(proxy, f"{base}/API/items")[::2] == (404, b"default")               # path patterns are case-sensitive
    assert fetch(proxy, f"{base}/")[::2] == (404, b"default")


def test_host_header_method_header_and_query_conditions(proxy, net):
    elb = net["elb"]
    listener = listen(net, fixed("default", "404"))
    elb.create_rule(ListenerArn=listener, Priority=1, Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["admin.example.com"]}}],
                    Actions=[fixed("admin")])
    elb.create_rule(ListenerArn=listener, Priority=2, Conditions=[
        {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["POST"]}},
        {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Canary", "Values": ["y*"]}}],
        Actions=[fixed("canary post")])
    elb.create_rule(ListenerArn=listener, Priority=3, Conditions=[
        {"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "mode", "Value": "beta"}]}},
        {"Field": "host-header", "HostHeaderConfig": {"Values": ["*.ELB.amazonaws.com"]}}],    # host names: any case
        Actions=[fixed("beta")])
    base = f"http://{net['dns']}"
    assert fetch(proxy, f"{base}/", method="POST", data=b"x", headers={"x-canary": "YES"})[::2] == (200, b"canary post")
    assert fetch(proxy, f"{base}/", method="GET", headers={"X-Canary": "yes"})[::2] == (404, b"default")
    assert fetch(proxy, f"{base}/?a=1&mode=BETA")[::2] == (200, b"beta")
    assert fetch(proxy, f"{base}/?mode=alpha")[::2] == (404, b"default")


def test_origin_form_request_with_a_host_header(proxy, net):
    import http.client
    elb = net["elb"]
    listener = listen(net, fixed("default", "404"))
    elb.create_rule(ListenerArn=listener, Priority=1, Conditions=[{"Field": "path-pattern", "Values": ["/health"]}],
                    Actions=[fixed("ok")])
    host, port = proxy.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", "/health", headers={"Host": net["dns"]})
    answer = connection.getresponse()
    assert (answer.status, answer.read()) == (200, b"ok")
    connection.close()


def test_redirects_fill_in_the_request_s_own_parts(proxy, net):
    elb = net["elb"]
    listener = listen(net, {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}})
    elb.create_rule(ListenerArn=listener, Priority=1, Conditions=[{"Field": "path-pattern", "Values": ["/old/*"]}],
                    Actions=[{"Type": "redirect", "RedirectConfig": {"Host": "example.org", "Port": "8080", "Path": "/new/#{path}",
                                                                     "Query": "from=#{host}", "StatusCode": "HTTP_302"}}])
    status, headers, body = fetch(proxy, f"http://{net['dns']}/shop/cart?item=7")
    assert (status, headers["Location"], body) == (301, f"https://{net['dns']}/shop/cart?item=7", b"")
    status, headers, _ = fetch(proxy, f"http://{net['dns']}/old/page")
    assert (status, headers["Location"]) == (302, f"http://example.org:8080/new/old/page?from={net['dns']}")


def test_a_port_without_listener_and_an_https_listener_are_explained(lab, proxy, net):
    listen(net, fixed("plain"))
    status, _, body = fetch(proxy, f"http://{net['dns']}:8080/")
    assert status == 502 and b"no listener on port 8080" in body
    certificate = lab.client("acm").request_certificate(DomainName="shop.example.com")["CertificateArn"]
    net["elb"].create_listener(LoadBalancerArn=net["arn"], Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": certificate}],
                               DefaultActions=[fixed("secret")])
    status, _, body = fetch(proxy, f"http://{net['dns']}:443/")
    assert status == 502 and b"speaks HTTPS" in body


# -- forwarding to targets ---------------------------------------------------------------------

def _function(lab, name, source):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    role = create_service_role(lab, f"{name}Role", "lambda.amazonaws.com")
    return lab.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler",
                                                Code={"ZipFile": buffer.getvalue()})["FunctionArn"]


ECHO = '''
import base64, json

def handler(event, context):
    if event["path"] == "/binary":
        return {"statusCode": 200, "headers": {"Content-Type": "application/octet-stream"},
                "body": base64.b64encode(bytes(range(4))).decode(), "isBase64Encoded": True}
    if event["path"] == "/broken":
        raise RuntimeError("the handler fell over")
    if event["path"] == "/wrong":
        return "not a response"
    return {"statusCode": 201, "statusDescription": "201 Created", "isBase64Encoded": False,
            "headers": {"Content-Type": "application/json", "X-Function": context.function_name}, "body": json.dumps(event)}
'''


def _lambda_target(lab, net, source=ECHO):
    elb = net["elb"]
    arn = _function(lab, "web-echo", source)
    group = elb.create_target_group(Name="echo", TargetType="lambda")["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=group, Targets=[{"Id": arn}])
    listen(net, {"Type": "forward", "TargetGroupArn": group})
    return group


def test_lambda_target_gets_the_alb_event_and_shapes_the_answer(lab, proxy, net):
    group = _lambda_target(lab, net)
    status, headers, body = fetch(proxy, f"http://{net['dns']}/orders/42?expand=items&x=%2F", method="POST",
                                  data=b'{"qty": 2}', headers={"Content-Type": "application/json", "X-Request-From": "test"})
    assert (status, headers["X-Function"], headers["Content-Type"]) == (201, "web-echo", "application/json")
    event = json.loads(body)
    assert event["requestContext"] == {"elb": {"targetGroupArn": group}}
    assert (event["httpMethod"], event["path"]) == ("POST", "/orders/42")
    assert event["queryStringParameters"] == {"expand": "items", "x": "%2F"}     # ALB does not decode them
    assert event["headers"]["x-request-from"] == "test"                         # names in lower case
    assert event["headers"]["host"] == net["dns"]
    assert event["headers"]["x-forwarded-proto"] == "http" and event["headers"]["x-forwarded-port"] == "80"
    assert (event["body"], event["isBase64Encoded"]) == ('{"qty": 2}', False)


def test_lambda_target_binary_bodies_are_base64_both_ways(lab, proxy, net):
    _lambda_target(lab, net)
    event = json.loads(fetch(proxy, f"http://{net['dns']}/upload", method="PUT", data=b"\x00\xff",
                             headers={"Content-Type": "application/octet-stream"})[2])
    assert (event["body"], event["isBase64Encoded"]) == (base64.b64encode(b"\x00\xff").decode(), True)
    assert fetch(proxy, f"http://{net['dns']}/binary")[::2] == (200, bytes(range(4)))


def test_lambda_target_errors_are_502(lab, proxy, net):
    _lambda_target(lab, net)
    status, _, body = fetch(proxy, f"http://{net['dns']}/broken")
    assert status == 502 and b"RuntimeError: the handler fell over" in body
    status, _, body = fetch(proxy, f"http://{net['dns']}/wrong")
    assert status == 502 and b"without a valid response" in body


def test_lambda_target_through_curl_while_the_lab_waits(lab, proxy, net):
    _lambda_target(lab, net)
    status, body = curl(proxy, f"http://{net['dns']}/from-curl?build=1")
    assert status == 201
    assert json.loads(body)["queryStringParameters"] == {"build": "1"}
    logs = lab.client("logs").filter_log_events(logGroupName="/aws/lambda/web-echo")["events"]
    assert logs, "the invocation is in the function's logs"


def _instances(net, count):
    return [i["InstanceId"] for i in net["ec2"].run_instances(ImageId="ami-12c6146b", MinCount=count, MaxCount=count,
                                                              SubnetId=net["subnets"][0])["Instances"]]


def _instance_group(net, name, tags=()):
    return net["elb"].create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=net["vpc"],
                                          **({"Tags": list(tags)} if tags else {}))["TargetGroups"][0]["TargetGroupArn"]


def test_instance_targets_take_turns_and_say_they_are_simulated(proxy, net):
    elb = net["elb"]
    group = _instance_group(net, "app")
    listen(net, {"Type": "forward", "TargetGroupArn": group})
    status, _, body = fetch(proxy, f"http://{net['dns']}/")
    assert status == 503 and b"no healthy targets" in body
    first, second = _instances(net, 2)
    elb.register_targets(TargetGroupArn=group, Targets=[{"Id": first}, {"Id": second}])
    bodies = [fetch(proxy, f"http://{net['dns']}/")[2].decode() for _ in range(3)]
    assert [first in b for b in bodies] == [True, False, True] and second in bodies[1]
    assert bodies[0].startswith(f"simulated instance {first} (port 80) of target group app")
    net["ec2"].stop_instances(InstanceIds=[first])
    assert all(second in fetch(proxy, f"http://{net['dns']}/")[2].decode() for _ in range(2))


def test_a_tag_on_the_target_group_chooses_the_instances_answer(proxy, net):
    elb = net["elb"]
    group = _instance_group(net, "app", [{"Key": RESPONSE_TAG, "Value": "200 text/html v2 is live"}])
    elb.register_targets(TargetGroupArn=group, Targets=[{"Id": _instances(net, 1)[0]}])
    listen(net, {"Type": "forward", "TargetGroupArn": group})
    status, headers, body = fetch(proxy, f"http://{net['dns']}/")
    assert (status, headers["Content-Type"], body) == (200, "text/html", b"v2 is live")
    elb.add_tags(ResourceArns=[group], Tags=[{"Key": RESPONSE_TAG, "Value": "500 Internal error"}])
    status, headers, body = fetch(proxy, f"http://{net['dns']}/")
    assert (status, headers["Content-Type"], body) == (500, "text/plain", b"Internal error")


def test_weighted_forward_is_a_fixed_sequence(proxy, net):
    elb = net["elb"]
    blue = _instance_group(net, "blue", [{"Key": RESPONSE_TAG, "Value": "200 text/plain blue"}])
    green = _instance_group(net, "green", [{"Key": RESPONSE_TAG, "Value": "200 text/plain green"}])
    first, second = _instances(net, 2)
    elb.register_targets(TargetGroupArn=blue, Targets=[{"Id": first}])
    elb.register_targets(TargetGroupArn=green, Targets=[{"Id": second}])
    listen(net, {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": blue, "Weight": 2},
                                                                        {"TargetGroupArn": green, "Weight": 1}]}})
    answers = [fetch(proxy, f"http://{net['dns']}/")[2].decode() for _ in range(6)]
    assert answers == ["blue", "green", "blue", "blue", "green", "blue"]


# -- the real network stays out of reach --------------------------------------------------------

def test_any_other_host_is_a_502_and_nothing_is_connected(proxy, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("the proxy tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    status, body = curl(proxy, "http://example.com/index.html")      # curl runs in its own process
    assert status == 502
    assert "reaches no real network" in body and "example.com" in body
    assert attempts == []


def test_connect_tunnels_are_refused_with_a_reason(proxy, net):
    host, port = proxy.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(f"CONNECT {net['dns']}:443 HTTP/1.1\r\nHost: {net['dns']}:443\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 501 ")
    assert b"plain HTTP only" in answer


def test_stop_closes_the_port(lab, net):
    listen(net, fixed("up"))
    own = HttpProxy(lab.account)
    own.start()
    url = own.url
    assert fetch(url, f"http://{net['dns']}/")[::2] == (200, b"up")
    thread = own._thread
    own.stop()
    assert not thread.is_alive()
    host, port = url.removeprefix("http://").split(":")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=5).close()
