//! Bad input through the real gRPC server, case by case: each test is one
//! defect an independent fuzzer found, kept fixed. (The fuzzer of our own,
//! tests/fuzz, looks for the whole class.)

mod support;

use framework::proto::{self, ConstructRequest, DiffRequest};
use prost_types::{Struct, Value, value::Kind};
use serde_json::json;
use support::{Provider, UNKNOWN, dead_address, pb_struct, secret, struct_to_json};
use tonic::Code;

const KEY: &str = "sagemaker-deployment:kms:Key";
const MODEL: &str = "sagemaker-deployment:sagemaker:Model";
const ROLE: &str = "sagemaker-deployment:iam:Role";
const ROLE_POLICY: &str = "sagemaker-deployment:iam:RolePolicy";
const POLICY: &str = "sagemaker-deployment:applicationautoscaling:ScalingPolicy";
const ENDPOINT: &str = "sagemaker-deployment:sagemaker:Endpoint";
const BASE_INFRA: &str = "sagemaker-deployment:index:BaseInfra";

fn check_request(token: &str, news: Struct) -> proto::CheckRequest {
    proto::CheckRequest {
        urn: format!("urn:pulumi:dev::proj::{token}::res"),
        olds: Some(Struct::default()),
        news: Some(news),
        name: "res".into(),
        r#type: token.into(),
        ..Default::default()
    }
}

async fn check(provider: &Provider, token: &str, news: Struct) -> proto::CheckResponse {
    provider
        .client()
        .check(check_request(token, news))
        .await
        .expect("Check answers")
        .into_inner()
}

fn properties(response: &proto::CheckResponse) -> Vec<&str> {
    response
        .failures
        .iter()
        .map(|f| f.property.as_str())
        .collect()
}

fn number(value: f64) -> Value {
    Value {
        kind: Some(Kind::NumberValue(value)),
    }
}

#[tokio::test]
async fn a_secret_of_the_wrong_type_fails_without_its_value() {
    let provider = Provider::start().await;
    let response = check(
        &provider,
        KEY,
        pb_struct(json!({
            "aliasName": "alias/models",
            "description": "d",
            "deletionWindowInDays": secret(json!("hunter2")),
        })),
    )
    .await;
    assert_eq!(properties(&response), ["deletionWindowInDays"]);
    let reason = &response.failures[0].reason;
    assert!(!reason.contains("hunter2"), "{reason}");
    assert!(reason.contains("whole number"), "{reason}");
    provider.stop().await;
}

#[tokio::test]
async fn type_errors_are_reported_beside_an_unknown() {
    let provider = Provider::start().await;
    let response = check(
        &provider,
        KEY,
        pb_struct(json!({
            "aliasName": UNKNOWN,
            "description": 12345,
            "deletionWindowInDays": "abc",
        })),
    )
    .await;
    assert_eq!(
        properties(&response),
        ["deletionWindowInDays", "description"]
    );
    provider.stop().await;
}

#[tokio::test]
async fn a_missing_required_input_is_named() {
    let provider = Provider::start().await;
    let response = check(&provider, KEY, pb_struct(json!({ "description": "d" }))).await;
    assert_eq!(properties(&response), ["aliasName"]);
    assert_eq!(response.failures[0].reason, "is required");
    provider.stop().await;
}

#[tokio::test]
async fn a_name_made_from_a_secret_prefix_is_secret() {
    let provider = Provider::start().await;
    let response = check(
        &provider,
        MODEL,
        pb_struct(json!({
            "namePrefix": secret(json!("hunter2")),
            "executionRoleArn": "arn:aws:iam::123456789012:role/model",
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1",
        })),
    )
    .await;
    assert!(response.failures.is_empty(), "{:?}", response.failures);
    let inputs = struct_to_json(&response.inputs.expect("inputs"));
    let name = &inputs["modelName"];
    assert_eq!(name[support::SPECIAL], support::SECRET, "{inputs}");
    assert!(
        name["value"]
            .as_str()
            .is_some_and(|n| n.starts_with("hunter2-")),
        "{inputs}"
    );
    provider.stop().await;
}

#[tokio::test]
async fn a_percent_before_a_multi_byte_character_fails_as_a_bad_document() {
    let provider = Provider::start().await;
    let role = check(
        &provider,
        ROLE,
        pb_struct(json!({
            "roleName": "model",
            "assumeRolePolicy": "%aé",
            "inlinePolicies": { "read": "%aé" },
        })),
    )
    .await;
    assert_eq!(
        properties(&role),
        ["assumeRolePolicy", "inlinePolicies.read"]
    );
    let policy = check(
        &provider,
        ROLE_POLICY,
        pb_struct(json!({
            "roleName": "model", "policyName": "read", "policyDocument": "%aé",
        })),
    )
    .await;
    assert_eq!(properties(&policy), ["policyDocument"]);
    provider.stop().await;
}

#[tokio::test]
async fn nan_and_infinities_fail_at_their_property() {
    let provider = Provider::start().await;
    let mut policy = pb_struct(json!({
        "policyName": "scale",
        "resourceId": "endpoint/e/variant/v",
        "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "stepScaling": {
            "adjustmentType": "ChangeInCapacity",
            "steps": [{ "scalingAdjustment": 1 }],
        },
    }));
    let Some(Kind::StructValue(stepping)) = policy
        .fields
        .get_mut("stepScaling")
        .and_then(|v| v.kind.as_mut())
    else {
        panic!("stepScaling is an object");
    };
    let Some(Kind::ListValue(steps)) = stepping
        .fields
        .get_mut("steps")
        .and_then(|v| v.kind.as_mut())
    else {
        panic!("stepAdjustments is a list");
    };
    let Some(Kind::StructValue(step)) = steps.values[0].kind.as_mut() else {
        panic!("a step is an object");
    };
    step.fields.insert("lowerBound".into(), number(f64::NAN));
    step.fields
        .insert("upperBound".into(), number(f64::INFINITY));
    let response = check(&provider, POLICY, policy).await;
    let named = properties(&response);
    for property in [
        "stepScaling.steps[0].lowerBound",
        "stepScaling.steps[0].upperBound",
    ] {
        assert!(named.contains(&property), "{property}: {named:?}");
    }
    let mut endpoint = pb_struct(json!({
        "endpointName": "e", "endpointConfigName": "c", "variantWeights": { "a": 1 },
    }));
    let Some(Kind::StructValue(weights)) = endpoint
        .fields
        .get_mut("variantWeights")
        .and_then(|v| v.kind.as_mut())
    else {
        panic!("variantWeights is an object");
    };
    weights.fields.insert("a".into(), number(f64::NEG_INFINITY));
    let response = check(&provider, ENDPOINT, endpoint).await;
    assert_eq!(properties(&response), ["variantWeights.a"]);
    assert!(response.failures[0].reason.contains("finite"));
    provider.stop().await;
}

#[tokio::test]
async fn a_list_is_not_taken_for_an_object_or_a_number() {
    let provider = Provider::start().await;
    let response = check(
        &provider,
        POLICY,
        pb_struct(json!({
            "policyName": "scale",
            "resourceId": "endpoint/e/variant/v",
            "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "stepScaling": {
                "adjustmentType": "ChangeInCapacity",
                "steps": [[0, 10, 1]],
            },
        })),
    )
    .await;
    assert_eq!(properties(&response), ["stepScaling.steps[0]"]);
    let response = check(
        &provider,
        ENDPOINT,
        pb_struct(json!({
            "endpointName": "e", "endpointConfigName": "c", "variantWeights": { "a": [1] },
        })),
    )
    .await;
    assert_eq!(properties(&response), ["variantWeights.a"]);
    provider.stop().await;
}

#[tokio::test]
async fn too_deep_a_value_gets_one_short_sentence() {
    let provider = Provider::start().await;
    let mut value = json!("bottom");
    for _ in 0..60 {
        value = json!({ "nested": value });
    }
    let status = provider
        .client()
        .check(check_request(KEY, pb_struct(json!({ "tags": value }))))
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().len() < 200, "{}", status.message());
    assert!(status.message().contains("nested too deeply"));
    // Nesting within the limit is read as usual.
    let mut value = json!("bottom");
    for _ in 0..framework::MAX_VALUE_NESTING {
        value = json!({ "nested": value });
    }
    let response = check(
        &provider,
        KEY,
        pb_struct(json!({ "aliasName": "alias/a", "description": "d", "tags": value })),
    )
    .await;
    assert_eq!(properties(&response), ["tags.nested"]);
    provider.stop().await;
}

#[tokio::test]
async fn a_huge_unknown_type_token_is_cut_in_the_error() {
    let provider = Provider::start().await;
    let token = "x".repeat(100_000);
    let status = provider
        .client()
        .diff(DiffRequest {
            r#type: token,
            ..Default::default()
        })
        .await
        .expect_err("unknown type");
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    assert!(status.message().len() < 1000, "{}", status.message().len());
    provider.stop().await;
}

#[tokio::test]
async fn configuration_errors_never_show_a_secret() {
    let provider = Provider::start().await;
    let news = pb_struct(json!({
        "region": "us-east-1",
        "defaultTags": secret(json!({ "team": ["hunter2"] })),
    }));
    let checked = provider
        .client()
        .check_config(proto::CheckRequest {
            news: Some(news.clone()),
            ..Default::default()
        })
        .await
        .expect("CheckConfig answers")
        .into_inner();
    // The key is inside the secret too: the path shows where, not what.
    assert_eq!(properties(&checked), ["defaultTags.[secret]"]);
    assert!(!checked.failures[0].reason.contains("hunter2"));
    let status = provider
        .client()
        .configure(proto::ConfigureRequest {
            args: Some(news),
            ..Default::default()
        })
        .await
        .expect_err("Configure refuses the tags");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("defaultTags"));
    assert!(
        !status.message().contains("hunter2"),
        "{}",
        status.message()
    );
    provider.stop().await;
}

#[tokio::test]
async fn a_component_check_never_shows_a_secret() {
    let provider = Provider::start().await;
    let status = provider
        .client()
        .construct(ConstructRequest {
            project: "proj".into(),
            stack: "dev".into(),
            dry_run: true,
            monitor_endpoint: dead_address().await.to_string(),
            r#type: BASE_INFRA.into(),
            name: "base".into(),
            inputs: Some(pb_struct(json!({
                "projectName": secret(json!("Hunter2 Secret")),
                "stage": "dev",
                "kmsKeyDeletionWindowInDays": secret(json!(987654)),
            }))),
            accepts_output_values: true,
            ..Default::default()
        })
        .await
        .expect_err("BaseInfra refuses the name");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let message = status.message();
    assert!(message.contains("projectName"), "{message}");
    assert!(message.contains("kmsKeyDeletionWindowInDays"), "{message}");
    assert!(!message.contains("Hunter2 Secret"), "{message}");
    assert!(!message.contains("987654"), "{message}");
    provider.stop().await;
}
