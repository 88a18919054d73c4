"""smithy-rpc-v2-cbor calls (CloudWatch as the AWS SDK for Rust makes them) answered through moto.

boto3 is forced onto CBOR (``protocol="smithy-rpc-v2-cbor"``; by itself botocore
speaks ``json`` to CloudWatch). botocore reads only CBOR tag 1 timestamps, so
parsed ``datetime``s prove epoch-seconds timestamps; the raw tests check the wire.
Fixtures (the emulator, a reset before each test, ``cloudwatch_cbor``, ``error_of``) are in conftest.py.
"""

from __future__ import annotations

import datetime
import gzip
import urllib.error
import urllib.request

import cbor2
from botocore.config import Config

from sagemaker_emulator.rpc_v2_services import CBOR

CLOUDWATCH_PATH = "/service/GraniteServiceVersion20100801/operation/"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarm-topic"
ALARM = {
    "AlarmName": "endpoint-a-errors",
    "Namespace": "AWS/SageMaker",
    "MetricName": "Invocation5XXErrors",
    "Dimensions": [{"Name": "EndpointName", "Value": "endpoint-a"}, {"Name": "VariantName", "Value": "primary"}],
    "Statistic": "Sum",
    "Period": 60,
    "EvaluationPeriods": 2,
    "Threshold": 1.5,
    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
    "AlarmActions": [TOPIC],
    "TreatMissingData": "notBreaching",
}


def post_cbor(emulator, operation, body, service="monitoring", path=None, headers=None, semantic_decoders=None):
    """POST a raw CBOR call; returns (status, headers, decoded body or None)."""
    request = urllib.request.Request(
        emulator.url + (path or CLOUDWATCH_PATH + operation),
        data=body if isinstance(body, bytes) else cbor2.dumps(body),
        method="POST",
        headers={
            "smithy-protocol": "rpc-v2-cbor",
            "Content-Type": "application/cbor",
            "Accept": "application/cbor",
            "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/{service}/aws4_request, "
            "SignedHeaders=host, Signature=0",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request) as response:
            status, response_headers, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, response_headers, data = error.code, error.headers, error.read()
    return status, response_headers, (cbor2.loads(data, semantic_decoders=semantic_decoders) if data else None)


def test_alarm_lifecycle_over_cbor(emulator, cloudwatch_cbor):
    cloudwatch_cbor.put_metric_alarm(**ALARM)

    alarms = cloudwatch_cbor.describe_alarms(AlarmNames=[ALARM["AlarmName"]])
    assert alarms["CompositeAlarms"] == []
    [alarm] = alarms["MetricAlarms"]
    for key in ("AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Period", "EvaluationPeriods",
                "Threshold", "ComparisonOperator", "AlarmActions", "TreatMissingData"):
        assert alarm[key] == ALARM[key], key
    assert alarm["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:endpoint-a-errors"
    assert alarm["StateValue"] == "OK"
    now = datetime.datetime.now(datetime.timezone.utc)
    for key in ("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp"):
        assert isinstance(alarm[key], datetime.datetime)
        assert abs((now - alarm[key]).total_seconds()) < 60

    cloudwatch_cbor.delete_alarms(AlarmNames=[ALARM["AlarmName"]])
    assert cloudwatch_cbor.describe_alarms(AlarmNames=[ALARM["AlarmName"]])["MetricAlarms"] == []
    missing = cloudwatch_cbor.describe_alarms(AlarmNames=["no-such-alarm"])
    assert (missing["MetricAlarms"], missing["CompositeAlarms"]) == ([], [])

    calls = [(entry["service"], entry["operation"], entry["status"]) for entry in emulator.requests()]
    assert calls == [
        ("monitoring", "PutMetricAlarm", 200),
        ("monitoring", "DescribeAlarms", 200),
        ("monitoring", "DeleteAlarms", 200),
        ("monitoring", "DescribeAlarms", 200),
        ("monitoring", "DescribeAlarms", 200),
    ]


def test_moto_errors_come_back_as_cbor_errors(cloudwatch_cbor, error_of):
    error = error_of(cloudwatch_cbor.set_alarm_state, AlarmName="no-such-alarm", StateValue="ALARM", StateReason="test")
    assert error["Error"]["Code"] == "ResourceNotFound"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    headers = error["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/cbor" and headers["smithy-protocol"] == "rpc-v2-cbor"
    assert headers["x-amzn-query-error"] == "ResourceNotFound;Sender"

    dashboard = error_of(cloudwatch_cbor.get_dashboard, DashboardName="missing")
    assert dashboard["Error"] == {"Code": "ResourceNotFound", "Message": "Dashboard does not exist",
                                  "QueryErrorCode": "ResourceNotFound", "Type": "Sender"}


def test_missing_required_member_is_a_validation_error(emulator, aws_client, error_of):
    unvalidated = aws_client("cloudwatch", protocol=CBOR, config=Config(parameter_validation=False))
    incomplete = {key: value for key, value in ALARM.items() if key != "AlarmName"}
    error = error_of(unvalidated.put_metric_alarm, **incomplete)
    assert error["Error"]["Code"] == "ValidationError"
    assert 'Missing required parameter in input: "AlarmName"' in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert emulator.requests()[-1]["operation"] == "PutMetricAlarm"


def test_faults_apply_to_cbor_calls(emulator, cloudwatch_cbor, error_of):
    emulator.inject_fault("throttle", "monitoring", "PutMetricAlarm")
    emulator.inject_fault("server_error", "monitoring", "DescribeAlarms")
    # CloudWatch's own codes (fault_errors), also in the query error header.
    throttled = error_of(cloudwatch_cbor.put_metric_alarm, **ALARM)
    assert throttled["Error"]["Code"] == "Throttling"
    assert throttled["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert throttled["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == "Throttling;Sender"
    failed = error_of(cloudwatch_cbor.describe_alarms)
    assert (failed["Error"]["Code"], failed["ResponseMetadata"]["HTTPStatusCode"]) == ("InternalServiceError", 500)
    cloudwatch_cbor.put_metric_alarm(**ALARM)
    assert len(cloudwatch_cbor.describe_alarms()["MetricAlarms"]) == 1
    log = [(e["operation"], e["status"], e.get("fault")) for e in emulator.requests()]
    assert log == [
        ("PutMetricAlarm", 400, "throttle"),
        ("DescribeAlarms", 500, "server_error"),
        ("PutMetricAlarm", 200, None),
        ("DescribeAlarms", 200, None),
    ]


def test_wire_format_of_answers(emulator):
    # A Double sent as an integer, a member botocore's model does not know, indefinite-length
    # containers (as the Rust SDK writes them), a gzip-compressed body: all accepted.
    request = cbor2.dumps({**ALARM, "Threshold": 5, "SomeFutureMember": True}, indefinite_containers=True)
    status, headers, body = post_cbor(emulator, "PutMetricAlarm", gzip.compress(request),
                                      headers={"Content-Encoding": "gzip"})
    assert (status, body, headers["smithy-protocol"]) == (200, None, "rpc-v2-cbor")

    status, headers, body = post_cbor(emulator, "DescribeAlarms", {"AlarmNames": [ALARM["AlarmName"]]})
    assert status == 200
    assert headers["Content-Type"] == "application/cbor" and headers["smithy-protocol"] == "rpc-v2-cbor"
    [alarm] = body["MetricAlarms"]
    assert alarm["Threshold"] == 5.0 and isinstance(alarm["Threshold"], float)
    assert alarm["Period"] == 60 and isinstance(alarm["Period"], int)
    assert isinstance(alarm["StateUpdatedTimestamp"], datetime.datetime)

    status, _, body = post_cbor(emulator, "DescribeAlarms", {})
    assert status == 200 and len(body["MetricAlarms"]) == 1


def test_timestamps_are_cbor_tag_1_epoch_seconds(emulator):
    assert post_cbor(emulator, "PutMetricAlarm", ALARM)[0] == 200
    # cbor2 hands a tag 1 decoder the tagged value: it must be a number of epoch seconds.
    tag_1 = {1: lambda value, _immutable: ("tag 1", value)}
    status, _, body = post_cbor(emulator, "DescribeAlarms", {}, semantic_decoders=tag_1)
    assert status == 200
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    for key in ("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp"):
        tag, seconds = body["MetricAlarms"][0][key]
        assert tag == "tag 1" and isinstance(seconds, (int, float)) and abs(seconds - now) < 60


def test_unknown_cbor_services_and_operations(emulator):
    status, headers, body = post_cbor(emulator, "Nope", {}, service="nothing", path="/service/NoSuchService/operation/Nope")
    assert status == 501 and body["__type"] == "NotImplemented" and "NoSuchService" in body["message"]
    assert headers["Content-Type"] == "application/cbor"
    status, _, body = post_cbor(emulator, "NoSuchOperation", {})
    assert (status, body["__type"]) == (404, "UnknownOperationException")
    status, _, body = post_cbor(emulator, "DescribeAlarms", b"\xff\x00")
    assert (status, body["__type"]) == (400, "SerializationException")
