//! CloudWatch's fixed values as a user meets them through the provider:
//! enum types in the schema (so the SDKs offer them), the fields that use
//! them, and a check failure naming the property for a value CloudWatch
//! does not know.

mod support;

use framework::proto::{CheckRequest, GetSchemaRequest};
use prost_types::Struct;
use serde_json::{Value, json};
use support::{Provider, pb_struct};

const ALARM: &str = "sagemaker-deployment:cloudwatch:MetricAlarm";
const POLICY: &str = "sagemaker-deployment:applicationautoscaling:ScalingPolicy";

async fn schema() -> Value {
    let provider = Provider::start().await;
    let response = provider
        .client()
        .get_schema(GetSchemaRequest::default())
        .await
        .expect("GetSchema succeeds")
        .into_inner();
    provider.stop().await;
    serde_json::from_str(&response.schema).expect("the schema is JSON")
}

/// The values of enum type `name`, in order.
fn enum_values(schema: &Value, name: &str) -> Vec<String> {
    let ty = &schema["types"][format!("sagemaker-deployment:index:{name}")];
    assert_eq!(ty["type"], "string", "{name}: {ty}");
    ty["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} is an enum: {ty}"))
        .iter()
        .map(|entry| {
            assert!(
                entry["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{name}: every value is documented: {entry}"
            );
            entry["value"].as_str().expect("a string value").to_owned()
        })
        .collect()
}

fn reference(name: &str) -> Value {
    json!(format!("#/types/sagemaker-deployment:index:{name}"))
}

#[tokio::test]
async fn the_schema_has_cloudwatchs_values_as_enum_types_used_by_the_alarm_and_the_custom_metric() {
    let schema = schema().await;
    assert_eq!(
        enum_values(&schema, "Statistic"),
        ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]
    );
    assert_eq!(
        enum_values(&schema, "ComparisonOperator"),
        [
            "GreaterThanOrEqualToThreshold",
            "GreaterThanThreshold",
            "LessThanThreshold",
            "LessThanOrEqualToThreshold",
            "LessThanLowerOrGreaterThanUpperThreshold",
            "LessThanLowerThreshold",
            "GreaterThanUpperThreshold",
        ]
    );
    assert_eq!(
        enum_values(&schema, "TreatMissingData"),
        ["breaching", "notBreaching", "ignore", "missing"]
    );

    let alarm = &schema["resources"][ALARM];
    for (field, ty) in [
        ("statistic", "Statistic"),
        ("comparisonOperator", "ComparisonOperator"),
        ("treatMissingData", "TreatMissingData"),
    ] {
        assert_eq!(alarm["inputProperties"][field]["$ref"], reference(ty));
        assert_eq!(alarm["properties"][field]["$ref"], reference(ty));
    }
    let required = alarm["requiredInputs"].as_array().expect("required inputs");
    // A plain statistic or a percentile (`extendedStatistic`): check wants
    // exactly one, so neither is required by the schema.
    assert!(!required.contains(&json!("statistic")));
    assert_eq!(
        alarm["inputProperties"]["extendedStatistic"]["type"],
        "string"
    );
    assert!(
        !required.contains(&json!("treatMissingData")),
        "it has a default"
    );
    assert_eq!(
        schema["types"]["sagemaker-deployment:index:CustomMetric"]["properties"]["statistic"]["$ref"],
        reference("Statistic")
    );
}

fn alarm(changes: Value) -> Value {
    let mut inputs = json!({
        "alarmName": "fraud-Primary-5xx-errors",
        "metricName": "Invocation5XXErrors",
        "namespace": "AWS/SageMaker",
        "statistic": "Sum",
        "dimensions": { "EndpointName": "fraud" },
        "period": 60,
        "evaluationPeriods": 1,
        "threshold": 1,
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "treatMissingData": "notBreaching",
    });
    for (key, value) in changes.as_object().expect("an object") {
        inputs[key] = value.clone();
    }
    inputs
}

/// Check's failures for `inputs` of `token`, as (property, reason).
async fn check(token: &str, inputs: Value) -> Vec<(String, String)> {
    let provider = Provider::start().await;
    let response = provider
        .client()
        .check(CheckRequest {
            urn: format!("urn:pulumi:dev::proj::{token}::res"),
            olds: Some(Struct::default()),
            news: Some(pb_struct(inputs)),
            name: "res".into(),
            r#type: token.into(),
            ..Default::default()
        })
        .await
        .expect("Check answers")
        .into_inner();
    provider.stop().await;
    response
        .failures
        .into_iter()
        .map(|f| (f.property, f.reason))
        .collect()
}

#[tokio::test]
async fn an_alarm_with_cloudwatchs_values_passes_check() {
    assert_eq!(check(ALARM, alarm(json!({}))).await, []);
    let mut defaulted = alarm(json!({}));
    defaulted
        .as_object_mut()
        .expect("an object")
        .remove("treatMissingData");
    assert_eq!(check(ALARM, defaulted).await, []);
}

#[tokio::test]
async fn a_value_cloudwatch_does_not_know_fails_check_naming_the_property_and_the_values() {
    for (field, bad, a_valid_one) in [
        ("statistic", "Total", "SampleCount"),
        ("comparisonOperator", ">=", "GreaterThanOrEqualToThreshold"),
        // CloudWatch's spelling is camelCase.
        ("treatMissingData", "NotBreaching", "notBreaching"),
    ] {
        let failures = check(ALARM, alarm(json!({ field: bad }))).await;
        assert_eq!(failures.len(), 1, "{field}: {failures:?}");
        let (property, reason) = &failures[0];
        assert_eq!(property, field);
        assert!(
            reason.contains(bad) && reason.contains(a_valid_one),
            "{field}: {reason}"
        );
    }
}

#[tokio::test]
async fn an_alarm_compares_a_statistic_or_a_percentile_but_not_both() {
    let p99 = alarm(json!({ "statistic": null, "extendedStatistic": "p99.9" }));
    assert_eq!(check(ALARM, p99).await, []);
    let both = check(ALARM, alarm(json!({ "extendedStatistic": "p99" }))).await;
    assert_eq!(both.len(), 1, "{both:?}");
    assert_eq!(both[0].0, "statistic");
    assert!(both[0].1.contains("exactly one"), "{}", both[0].1);
    let not_a_percentile = check(
        ALARM,
        alarm(json!({ "statistic": null, "extendedStatistic": "p999" })),
    )
    .await;
    assert_eq!(not_a_percentile.len(), 1, "{not_a_percentile:?}");
    assert_eq!(not_a_percentile[0].0, "extendedStatistic");
    assert!(not_a_percentile[0].1.contains("`p999`"));
}

#[tokio::test]
async fn an_anomaly_band_operator_fails_check_because_the_alarm_has_a_fixed_threshold() {
    let failures = check(
        ALARM,
        alarm(json!({ "comparisonOperator": "LessThanLowerThreshold" })),
    )
    .await;
    assert_eq!(failures.len(), 1, "{failures:?}");
    let (property, reason) = &failures[0];
    assert_eq!(property, "comparisonOperator");
    assert!(reason.contains("anomaly-detection band"), "{reason}");
    assert!(reason.contains("GreaterThanThreshold"), "{reason}");
}

#[tokio::test]
async fn a_custom_metric_statistic_cloudwatch_does_not_know_fails_check_at_its_path() {
    let policy = |statistic: &str| {
        json!({
            "policyName": "queue-Primary-backlog",
            "resourceId": "endpoint/queue/variant/Primary",
            "targetTracking": {
                "targetValue": 5,
                "customMetric": {
                    "metricName": "ApproximateBacklogSizePerInstance",
                    "namespace": "AWS/SageMaker",
                    "statistic": statistic,
                    "dimensions": { "EndpointName": "queue" },
                },
            },
        })
    };
    assert_eq!(check(POLICY, policy("Average")).await, []);
    let failures = check(POLICY, policy("Mean")).await;
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].0, "targetTracking.customMetric.statistic");
    assert!(failures[0].1.contains("Mean"), "{}", failures[0].1);
}
