//! The three endpoint components, constructed through the provider's
//! Construct RPC against a recording resource monitor: which children each
//! registers, what they wait for, the settings a user would look for on
//! them, and the component's outputs.

mod support;

use std::collections::HashMap;

use framework::proto::construct_request::PropertyDependencies;
use framework::proto::{ConfigureRequest, ConstructRequest};
use serde_json::{Value, json};
use support::fake_sts::{FakeSts, use_test_credentials};
use support::monitor::{Monitor, Registration};
use support::{Provider, pb_struct, struct_to_json};

const CONFIG: &str = "sagemaker-deployment:sagemaker:EndpointConfig";
const ENDPOINT: &str = "sagemaker-deployment:sagemaker:Endpoint";
const ALARM: &str = "sagemaker-deployment:cloudwatch:MetricAlarm";
const TARGET: &str = "sagemaker-deployment:applicationautoscaling:ScalableTarget";
const POLICY: &str = "sagemaker-deployment:applicationautoscaling:ScalingPolicy";
const TOPIC: &str = "sagemaker-deployment:sns:Topic";
const ROLE_POLICY: &str = "sagemaker-deployment:iam:RolePolicy";

/// Where the model names and the key come from.
const MODELS_URN: &str = "urn:pulumi:dev::proj::sagemaker-deployment:index:SageMakerModel::models";
const KEY_URN: &str = "urn:pulumi:dev::proj::sagemaker-deployment:kms:Key::key";

fn model(variant: &str) -> Value {
    json!({
        "ModelName": format!("{}-model", variant.to_lowercase()),
        "ModelS3Key": format!("models/{variant}/model.tar.gz"),
        "ModelDockerImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310",
        "VariantName": variant,
        "VariantWeight": 1,
        "InstanceCount": 1,
        "InstanceType": "ml.m5.large",
    })
}

/// What Construct answered and what the monitor saw.
struct Constructed {
    monitor: Monitor,
    state: Value,
}

impl Constructed {
    /// The children's type tokens and names, sorted by name.
    fn children(&self) -> Vec<(String, String)> {
        self.monitor
            .children()
            .into_iter()
            .map(|r| (r.token, r.name))
            .collect()
    }

    fn child(&self, name: &str) -> Registration {
        self.monitor
            .children()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no child `{name}`"))
    }

    fn urn(&self, name: &str) -> String {
        self.child(name).urn()
    }
}

/// Constructs component `token` named `name` from `inputs`; the model
/// names come from the models component and the key from a KMS key.
async fn construct(token: &str, name: &str, inputs: Value) -> Constructed {
    use_test_credentials();
    let sts = FakeSts::start().await;
    let provider = Provider::start().await;
    provider
        .client()
        .configure(ConfigureRequest {
            args: Some(pb_struct(json!({
                "region": "us-east-1",
                "endpoints": { "sts": sts.url() },
            }))),
            accept_secrets: true,
            accept_resources: true,
            ..Default::default()
        })
        .await
        .expect("Configure succeeds");
    let monitor = Monitor::start().await;
    let dependencies: HashMap<String, PropertyDependencies> =
        [("modelNames", MODELS_URN), ("kmsKeyArn", KEY_URN)]
            .into_iter()
            .map(|(key, urn)| {
                (
                    key.to_owned(),
                    PropertyDependencies {
                        urns: vec![urn.to_owned()],
                    },
                )
            })
            .collect();
    let response = provider
        .client()
        .construct(ConstructRequest {
            project: "proj".into(),
            stack: "dev".into(),
            dry_run: false,
            parallel: 4,
            monitor_endpoint: monitor.addr.to_string(),
            r#type: token.into(),
            name: name.into(),
            inputs: Some(pb_struct(inputs)),
            input_dependencies: dependencies,
            accepts_output_values: false,
            ..Default::default()
        })
        .await
        .unwrap_or_else(|status| panic!("Construct of {token} fails: {status:?}"))
        .into_inner();
    provider.stop().await;
    let state = struct_to_json(&response.state.expect("state"));
    Constructed { monitor, state }
}

fn named(children: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut children: Vec<(String, String)> = children
        .iter()
        .map(|(token, name)| (token.to_string(), name.to_string()))
        .collect();
    children.sort_by(|a, b| a.1.cmp(&b.1));
    children
}

#[tokio::test]
async fn a_realtime_endpoint_registers_its_config_endpoint_rollback_alarms_and_autoscaling() {
    let built = construct(
        "sagemaker-deployment:index:SageMakerEndpoint",
        "rt",
        json!({
            "endpointName": "fraud",
            "modelList": [model("Primary"), model("Canary")],
            "modelNames": ["primary-model", "canary-model"],
            "kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k",
            "dataCaptureBucketName": "capture",
            "dataCaptureSamplingPercentage": 50,
            "autoscaling": { "minCapacity": 1, "maxCapacity": 4 },
            "rollout": { "trafficShift": "ALL_AT_ONCE" },
            "tags": { "team": "ml" },
        }),
    )
    .await;
    assert_eq!(
        built.children(),
        named(&[
            (CONFIG, "rt-config"),
            (ENDPOINT, "rt-endpoint"),
            (ALARM, "rt-Primary-rollback-alarm"),
            (ALARM, "rt-Canary-rollback-alarm"),
            (TARGET, "rt-Primary-target"),
            (TARGET, "rt-Canary-target"),
            (POLICY, "rt-Primary-invocations"),
            (POLICY, "rt-Canary-invocations"),
        ])
    );
    for child in built.monitor.children() {
        assert_eq!(
            child.parent,
            "urn:pulumi:dev::proj::sagemaker-deployment:index:SageMakerEndpoint::rt"
        );
        assert_eq!(
            child.inputs.get("tags").unwrap_or(&json!({"team": "ml"})),
            &json!({"team": "ml"})
        );
    }

    let config = built.child("rt-config");
    assert_eq!(config.dependencies, [MODELS_URN, KEY_URN]);
    assert_eq!(config.inputs["namePrefix"], "fraud-config");
    assert_eq!(
        config.inputs["productionVariants"][1],
        json!({ "variantName": "Canary", "modelName": "canary-model", "instanceType": "ml.m5.large" })
    );
    assert_eq!(
        config.inputs["initialCapacity"]["Primary"],
        json!({ "weight": 1.0, "instanceCount": 1.0 })
    );
    assert_eq!(
        config.inputs["dataCapture"]["destinationS3Uri"],
        "s3://capture/data-capture/fraud"
    );
    assert_eq!(
        config.inputs["dataCapture"]["initialSamplingPercentage"],
        50.0
    );

    let alarm = built.child("rt-Canary-rollback-alarm");
    assert_eq!(alarm.inputs["alarmName"], "fraud-Canary-5xx-errors");
    assert_eq!(alarm.inputs["metricName"], "Invocation5XXErrors");
    assert_eq!(alarm.inputs["statistic"], "Sum");
    assert_eq!(
        alarm.inputs["comparisonOperator"],
        "GreaterThanOrEqualToThreshold"
    );
    assert_eq!(alarm.inputs["treatMissingData"], "notBreaching");
    assert_eq!(
        alarm.inputs["dimensions"],
        json!({ "EndpointName": "fraud", "VariantName": "Canary" })
    );

    let endpoint = built.child("rt-endpoint");
    let mut waits_for = vec![
        built.urn("rt-config"),
        built.urn("rt-Primary-rollback-alarm"),
        built.urn("rt-Canary-rollback-alarm"),
    ];
    waits_for.sort();
    assert_eq!(endpoint.dependencies, waits_for);
    assert_eq!(endpoint.inputs["endpointName"], "fraud");
    assert_eq!(
        endpoint.inputs["endpointConfigName"],
        "fraud-config-0123456789ab"
    );
    assert_eq!(endpoint.inputs["autoscalingManaged"], true);
    assert_eq!(
        endpoint.inputs["rollout"]["rollbackAlarmNames"],
        json!(["fraud-Primary-5xx-errors", "fraud-Canary-5xx-errors"])
    );
    assert_eq!(
        endpoint.inputs["variantInstanceCounts"],
        json!({ "Primary": 1.0, "Canary": 1.0 })
    );
    assert_eq!(
        endpoint.inputs["variantInstanceTypes"],
        json!({ "Primary": "ml.m5.large", "Canary": "ml.m5.large" })
    );

    // The target's resource ID comes from the endpoint, the policy's from the
    // target: replacing the endpoint (which deregisters its variants)
    // registers the targets and puts the policies again.
    let target = built.child("rt-Canary-target");
    assert_eq!(target.dependencies, [built.urn("rt-endpoint")]);
    assert_eq!(target.inputs["resourceId"], "endpoint/fraud/variant/Canary");
    assert_eq!(
        target.property_dependencies["resourceId"],
        [built.urn("rt-endpoint")]
    );
    // A new instance type replaces the target: registered again after the
    // endpoint runs it.
    assert_eq!(target.inputs["instanceType"], "ml.m5.large");
    assert_eq!(
        (
            target.inputs["minCapacity"].clone(),
            target.inputs["maxCapacity"].clone()
        ),
        (json!(1.0), json!(4.0))
    );

    let policy = built.child("rt-Canary-invocations");
    assert_eq!(policy.dependencies, [built.urn("rt-Canary-target")]);
    assert_eq!(
        policy.property_dependencies["resourceId"],
        [built.urn("rt-Canary-target")]
    );
    assert_eq!(policy.inputs["policyName"], "fraud-Canary-invocations");
    assert_eq!(
        policy.inputs["targetTracking"],
        json!({
            "targetValue": 70.0,
            "predefinedMetric": "SageMakerVariantInvocationsPerInstance",
            "scaleInCooldown": 300.0,
            "scaleOutCooldown": 60.0,
        })
    );

    assert_eq!(
        built.state,
        json!({
            "endpointName": "fraud",
            "endpointArn": "arn:aws:test:us-east-1:123456789012:rt-endpoint",
            "endpointConfigName": "fraud-config-0123456789ab",
        })
    );
}

#[tokio::test]
async fn a_realtime_rollout_grants_the_execution_role_its_default_alarms_before_the_endpoint() {
    let built = construct(
        "sagemaker-deployment:index:SageMakerEndpoint",
        "rt",
        json!({
            "endpointName": "fraud",
            "modelList": [model("Primary"), model("Canary")],
            "modelNames": ["primary-model", "canary-model"],
            "executionRoleName": "sagemaker-role",
            "rollout": { "trafficShift": "ALL_AT_ONCE" },
        }),
    )
    .await;
    let grant = built.child("rt-rollback-alarms-policy");
    assert_eq!(grant.token, ROLE_POLICY);
    assert_eq!(grant.inputs["roleName"], "sagemaker-role");
    let document: Value =
        serde_json::from_str(grant.inputs["policyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(
        document["Statement"][0]["Resource"],
        json!([
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fraud-Primary-5xx-errors",
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fraud-Canary-5xx-errors",
        ])
    );
    assert_eq!(
        built.child("rt-Primary-rollback-alarm").inputs["alarmName"],
        "fraud-Primary-5xx-errors"
    );
    assert!(
        built
            .child("rt-endpoint")
            .dependencies
            .contains(&built.urn("rt-rollback-alarms-policy"))
    );
}

#[tokio::test]
async fn a_realtime_endpoint_without_autoscaling_or_rollout_registers_config_and_endpoint() {
    let built = construct(
        "sagemaker-deployment:index:SageMakerEndpoint",
        "rt",
        json!({
            "endpointName": "fraud",
            "modelList": [model("Primary")],
            "modelNames": ["primary-model"],
        }),
    )
    .await;
    assert_eq!(
        built.children(),
        named(&[(CONFIG, "rt-config"), (ENDPOINT, "rt-endpoint")])
    );
    let endpoint = built.child("rt-endpoint");
    assert_eq!(endpoint.dependencies, [built.urn("rt-config")]);
    assert_eq!(endpoint.inputs["autoscalingManaged"], false);
    assert!(endpoint.inputs.get("rollout").is_none());
}

#[tokio::test]
async fn an_async_endpoint_registers_topics_grant_config_endpoint_backlog_scaling_and_wake_up() {
    let built = construct(
        "sagemaker-deployment:index:SageMakerAsyncEndpoint",
        "async",
        json!({
            "endpointName": "queue",
            "modelList": [model("Primary")],
            "modelNames": ["primary-model"],
            "outputBucketName": "async-out",
            "kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k",
            "asyncConfig": { "maxConcurrentInvocationsPerInstance": 4, "expiresInSeconds": 3600 },
            "executionRoleName": "sagemaker-role",
            "autoscaling": { "minCapacity": 0, "maxCapacity": 2 },
            "rollout": { "trafficShift": "ALL_AT_ONCE", "rollbackAlarmNames": ["my-alarm"] },
        }),
    )
    .await;
    assert_eq!(
        built.children(),
        named(&[
            (TOPIC, "async-success-topic"),
            (TOPIC, "async-error-topic"),
            (ROLE_POLICY, "async-notifications-policy"),
            (ROLE_POLICY, "async-rollback-alarms-policy"),
            (CONFIG, "async-config"),
            (ENDPOINT, "async-endpoint"),
            (TARGET, "async-Primary-target"),
            (POLICY, "async-Primary-backlog"),
            (POLICY, "async-Primary-wake-up"),
            (ALARM, "async-wake-up-alarm"),
        ])
    );

    let success = built.child("async-success-topic");
    assert_eq!(success.inputs["topicName"], "queue-success");
    let grant = built.child("async-notifications-policy");
    assert_eq!(grant.inputs["roleName"], "sagemaker-role");
    assert_eq!(grant.inputs["policyName"], "queue-async-notifications");

    let config = built.child("async-config");
    let mut config_waits_for = vec![
        KEY_URN.to_owned(),
        MODELS_URN.to_owned(),
        built.urn("async-success-topic"),
        built.urn("async-error-topic"),
    ];
    config_waits_for.sort();
    assert_eq!(config.dependencies, config_waits_for);
    let inference = &config.inputs["asyncInference"];
    assert_eq!(
        inference["s3OutputPath"],
        "s3://async-out/async-output/queue/"
    );
    assert_eq!(
        inference["s3FailurePath"],
        "s3://async-out/async-failures/queue/"
    );
    assert_eq!(inference["maxConcurrentInvocationsPerInstance"], 4.0);
    assert_eq!(
        inference["successTopicArn"],
        "arn:aws:test:us-east-1:123456789012:async-success-topic"
    );

    // SageMaker reads the rollback alarms with the execution role: it may
    // describe exactly the rollout's alarm, in the provider's account and region.
    let alarms_grant = built.child("async-rollback-alarms-policy");
    assert_eq!(alarms_grant.inputs["roleName"], "sagemaker-role");
    assert_eq!(alarms_grant.inputs["policyName"], "queue-rollback-alarms");
    let document: Value =
        serde_json::from_str(alarms_grant.inputs["policyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(
        document["Statement"],
        json!([{
            "Sid": "ReadRollbackAlarms",
            "Effect": "Allow",
            "Action": "cloudwatch:DescribeAlarms",
            "Resource": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm"],
        }])
    );

    // CreateEndpoint sends a test notification with the execution role: the
    // publish grant exists before the endpoint is created, as does the grant
    // to read the rollback alarms.
    let endpoint = built.child("async-endpoint");
    let mut endpoint_waits_for = vec![
        built.urn("async-notifications-policy"),
        built.urn("async-rollback-alarms-policy"),
        built.urn("async-config"),
    ];
    endpoint_waits_for.sort();
    assert_eq!(endpoint.dependencies, endpoint_waits_for);
    assert_eq!(
        endpoint.inputs["rollout"]["rollbackAlarmNames"],
        json!(["my-alarm"])
    );
    assert_eq!(endpoint.inputs["autoscalingManaged"], true);

    let backlog = built.child("async-Primary-backlog");
    assert_eq!(backlog.dependencies, [built.urn("async-Primary-target")]);
    assert_eq!(
        backlog.inputs["targetTracking"]["customMetric"],
        json!({
            "metricName": "ApproximateBacklogSizePerInstance",
            "namespace": "AWS/SageMaker",
            "statistic": "Average",
            "dimensions": { "EndpointName": "queue" },
        })
    );
    let wake_up = built.child("async-Primary-wake-up");
    assert_eq!(wake_up.dependencies, [built.urn("async-Primary-target")]);
    assert_eq!(
        wake_up.inputs["stepScaling"]["adjustmentType"],
        "ChangeInCapacity"
    );
    assert_eq!(
        wake_up.inputs["stepScaling"]["steps"],
        json!([{ "lowerBound": 0.0, "scalingAdjustment": 1.0 }])
    );

    let alarm = built.child("async-wake-up-alarm");
    assert_eq!(alarm.dependencies, [built.urn("async-Primary-wake-up")]);
    assert_eq!(alarm.inputs["metricName"], "HasBacklogWithoutCapacity");
    assert_eq!(alarm.inputs["statistic"], "Average");
    assert_eq!(
        alarm.inputs["comparisonOperator"],
        "GreaterThanOrEqualToThreshold"
    );
    assert_eq!(alarm.inputs["treatMissingData"], "missing");
    assert_eq!(
        alarm.inputs["alarmActions"],
        json!(["arn:aws:test:us-east-1:123456789012:async-Primary-wake-up"])
    );

    assert_eq!(
        built.state,
        json!({
            "endpointName": "queue",
            "endpointArn": "arn:aws:test:us-east-1:123456789012:async-endpoint",
            "endpointConfigName": "queue-config-0123456789ab",
            "outputS3Path": "s3://async-out/async-output/queue/",
            "failureS3Path": "s3://async-out/async-failures/queue/",
            "successTopicArn": "arn:aws:test:us-east-1:123456789012:async-success-topic",
            "errorTopicArn": "arn:aws:test:us-east-1:123456789012:async-error-topic",
            "requestTtlSeconds": 3600.0,
        })
    );
}

#[tokio::test]
async fn an_async_endpoint_that_keeps_an_instance_has_no_wake_up() {
    let built = construct(
        "sagemaker-deployment:index:SageMakerAsyncEndpoint",
        "async",
        json!({
            "endpointName": "queue",
            "modelList": [model("Primary")],
            "modelNames": ["primary-model"],
            "outputBucketName": "async-out",
            "notifications": false,
            "autoscaling": { "minCapacity": 1, "maxCapacity": 2 },
        }),
    )
    .await;
    assert_eq!(
        built.children(),
        named(&[
            (CONFIG, "async-config"),
            (ENDPOINT, "async-endpoint"),
            (TARGET, "async-Primary-target"),
            (POLICY, "async-Primary-backlog"),
        ])
    );
    assert_eq!(built.state["successTopicArn"], Value::Null);
}

#[tokio::test]
async fn a_serverless_endpoint_registers_config_and_endpoint_with_the_shared_compute() {
    // Serverless Inference hosts one variant; it takes the environment's
    // serverless settings when its model entry has none.
    let built = construct(
        "sagemaker-deployment:index:SageMakerServerlessEndpoint",
        "sls",
        json!({
            "endpointName": "burst",
            "modelList": [model("Primary")],
            "modelNames": ["primary-model"],
            "serverlessConfig": { "memorySize": 4096, "maxConcurrency": 10, "provisionedConcurrency": 2 },
        }),
    )
    .await;
    assert_eq!(
        built.children(),
        named(&[(CONFIG, "sls-config"), (ENDPOINT, "sls-endpoint")])
    );
    let config = built.child("sls-config");
    assert_eq!(
        config.inputs["productionVariants"],
        json!([
            { "variantName": "Primary", "modelName": "primary-model",
              "serverless": { "memorySizeInMb": 4096.0, "maxConcurrency": 10.0, "provisionedConcurrency": 2.0 } },
        ])
    );
    assert_eq!(
        config.inputs["initialCapacity"]["Primary"],
        json!({ "weight": 1.0 })
    );
    let endpoint = built.child("sls-endpoint");
    assert_eq!(endpoint.dependencies, [built.urn("sls-config")]);
    assert_eq!(endpoint.inputs["variantInstanceCounts"], json!({}));
    assert_eq!(endpoint.inputs["autoscalingManaged"], false);
    assert_eq!(
        built.state,
        json!({
            "endpointName": "burst",
            "endpointArn": "arn:aws:test:us-east-1:123456789012:sls-endpoint",
            "endpointConfigName": "burst-config-0123456789ab",
        })
    );
}

#[test]
fn notifications_without_the_execution_role_name_fail_the_check() {
    use framework::Component;
    use sagemaker_deployment_provider::components::async_endpoint::SageMakerAsyncEndpoint;

    let args = |extra: Value| {
        let mut args = json!({
            "endpointName": "queue",
            "modelList": [model("Primary")],
            "modelNames": ["primary-model"],
            "outputBucketName": "async-out",
        });
        args.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(args).unwrap()
    };
    let failures = SageMakerAsyncEndpoint.check(&args(json!({}))).into_vec();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].property, "executionRoleName");
    assert!(failures[0].reason.contains("sns:Publish"), "{failures:?}");
    for fine in [
        json!({ "executionRoleName": "sagemaker-role" }),
        json!({ "notifications": false }),
    ] {
        assert!(SageMakerAsyncEndpoint.check(&args(fine)).is_empty());
    }
}
