//! The provider's gRPC contract with the Pulumi engine, checked in process:
//! the server runs on a loopback port and the generated client drives it
//! the way the engine does. No test here reaches AWS: where the provider is
//! configured, its endpoints point at a local listener that counts
//! connections, and the tests assert that nothing connected.

mod support;

use std::time::Duration;

use framework::proto::{
    self, ConfigureRequest, ConstructRequest, CreateRequest, DiffRequest, GetSchemaRequest,
    ProviderHandshakeRequest, diff_response::DiffChanges, property_diff,
};
use prost_types::{Struct, Value, value::Kind};
use serde_json::json;
use support::{
    Provider, SECRET, SPECIAL, Tripwire, UNKNOWN, dead_address, pb, pb_struct, secret,
    struct_to_json,
};
use tonic::Code;

const BUCKET: &str = "sagemaker-deployment:s3:Bucket";
const BASE_INFRA: &str = "sagemaker-deployment:index:BaseInfra";

fn bucket_urn(name: &str) -> String {
    format!("urn:pulumi:dev::proj::{BUCKET}::{name}")
}

fn check_request(token: &str, news: serde_json::Value) -> proto::CheckRequest {
    proto::CheckRequest {
        urn: format!("urn:pulumi:dev::proj::{token}::res"),
        olds: Some(Struct::default()),
        news: Some(pb_struct(news)),
        name: "res".into(),
        r#type: token.into(),
        ..Default::default()
    }
}

fn diff_request(olds: serde_json::Value, news: serde_json::Value) -> DiffRequest {
    DiffRequest {
        id: "bucket-a".into(),
        urn: bucket_urn("artifacts"),
        olds: Some(pb_struct(olds.clone())),
        news: Some(pb_struct(news)),
        old_inputs: Some(pb_struct(olds)),
        name: "artifacts".into(),
        r#type: BUCKET.into(),
        ..Default::default()
    }
}

/// Configures the provider with every AWS endpoint pointing at `tripwire`.
async fn configure(provider: &Provider, tripwire: &Tripwire) -> proto::ConfigureResponse {
    let url = tripwire.url();
    let request = ConfigureRequest {
        args: Some(pb_struct(json!({
            "region": "us-east-1",
            "endpoints": {
                "s3": url, "kms": url, "iam": url, "sagemaker": url,
                "applicationautoscaling": url, "sns": url,
            },
        }))),
        accept_secrets: true,
        accept_resources: true,
        ..Default::default()
    };
    provider
        .client()
        .configure(request)
        .await
        .expect("Configure succeeds")
        .into_inner()
}

fn field<'a>(object: &'a Struct, key: &str) -> &'a Value {
    object
        .fields
        .get(key)
        .unwrap_or_else(|| panic!("field `{key}` in {:?}", struct_to_json(object)))
}

fn is_unknown(value: &Value) -> bool {
    matches!(&value.kind, Some(Kind::StringValue(text)) if text == UNKNOWN)
}

// ---------------------------------------------------------------------------
// Handshake, plugin info, schema

#[tokio::test]
async fn handshake_accepts_secrets_resources_and_outputs() {
    let provider = Provider::start().await;
    let response = provider
        .client()
        .handshake(ProviderHandshakeRequest {
            engine_address: dead_address().await.to_string(),
            root_directory: Some("/tmp".into()),
            program_directory: Some("/tmp".into()),
            configure_with_urn: true,
            ..Default::default()
        })
        .await
        .expect("Handshake succeeds")
        .into_inner();
    assert!(response.accept_secrets);
    assert!(response.accept_resources);
    assert!(response.accept_outputs);
    provider.stop().await;
}

#[tokio::test]
async fn get_plugin_info_returns_the_cargo_version() {
    let provider = Provider::start().await;
    let info = provider
        .client()
        .get_plugin_info(())
        .await
        .expect("GetPluginInfo succeeds")
        .into_inner();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.version, sagemaker_deployment_provider::VERSION);
    provider.stop().await;
}

#[tokio::test]
async fn get_schema_describes_the_package_its_resources_and_the_component() {
    let provider = Provider::start().await;
    let response = provider
        .client()
        .get_schema(GetSchemaRequest {
            version: 0,
            ..Default::default()
        })
        .await
        .expect("GetSchema succeeds")
        .into_inner();
    let schema: serde_json::Value =
        serde_json::from_str(&response.schema).expect("the schema is JSON");
    assert_eq!(schema["name"], "sagemaker-deployment");
    let resources = schema["resources"].as_object().expect("resources");
    for token in [
        "sagemaker-deployment:kms:Key",
        BUCKET,
        "sagemaker-deployment:iam:Role",
        BASE_INFRA,
    ] {
        assert!(resources.contains_key(token), "schema lists {token}");
    }
    assert_eq!(resources[BASE_INFRA]["isComponent"], json!(true));
    assert_ne!(resources[BUCKET]["isComponent"], json!(true));
    let bucket_inputs = resources[BUCKET]["inputProperties"]
        .as_object()
        .expect("Bucket input properties");
    assert!(bucket_inputs.contains_key("bucketName"));
    assert!(
        resources[BUCKET]["requiredInputs"]
            .as_array()
            .expect("Bucket required inputs")
            .contains(&json!("bucketName"))
    );
    assert!(schema["config"]["variables"]["endpoints"].is_object());
    provider.stop().await;
}

// ---------------------------------------------------------------------------
// Provider configuration

#[tokio::test]
async fn check_config_accepts_endpoints_as_json_text_and_as_an_object() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    let as_text = json!({
        "region": "us-east-1",
        "endpoints": r#"{"s3":"http://127.0.0.1:4566","sagemaker":"http://127.0.0.1:4566"}"#,
        "defaultTags": r#"{"team":"ml"}"#,
        "version": "0.1.0",
    });
    let as_object = json!({
        "region": "us-east-1",
        "endpoints": { "s3": "http://127.0.0.1:4566", "sagemaker": "http://127.0.0.1:4566" },
        "defaultTags": { "team": "ml" },
    });
    let prefixed = json!({ "sagemaker-deployment:endpoints": { "kms": "http://127.0.0.1:4566" } });
    for news in [as_text, as_object, prefixed] {
        let response = client
            .check_config(check_request(
                "pulumi:providers:sagemaker-deployment",
                news.clone(),
            ))
            .await
            .expect("CheckConfig succeeds")
            .into_inner();
        assert!(
            response.failures.is_empty(),
            "{news}: {:?}",
            response.failures
        );
        assert_eq!(
            struct_to_json(&response.inputs.expect("inputs")),
            struct_to_json(&pb_struct(news))
        );
    }
    provider.stop().await;
}

#[tokio::test]
async fn check_config_rejects_a_bad_endpoints_value_naming_the_property() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    for endpoints in [
        json!("{not json"),
        json!(42),
        json!({ "ec2": "http://127.0.0.1:4566" }),
        json!({ "s3": ["http://127.0.0.1:4566"] }),
    ] {
        let response = client
            .check_config(check_request(
                "pulumi:providers:sagemaker-deployment",
                json!({ "region": "us-east-1", "endpoints": endpoints }),
            ))
            .await
            .expect("CheckConfig answers")
            .into_inner();
        assert_eq!(
            response.failures.len(),
            1,
            "{endpoints}: {:?}",
            response.failures
        );
        let failure = &response.failures[0];
        assert!(
            failure.property.starts_with("endpoints"),
            "{endpoints}: failure names `{}`: {}",
            failure.property,
            failure.reason
        );
        assert!(!failure.reason.is_empty());
    }
    provider.stop().await;
}

#[tokio::test]
async fn check_config_accepts_the_retry_settings_as_the_cli_sets_them() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    // `pulumi config set sagemaker-deployment:maxAttempts 10` stores text.
    for news in [
        json!({ "retryMode": "adaptive", "maxAttempts": "10" }),
        json!({ "sagemaker-deployment:retryMode": "standard", "sagemaker-deployment:maxAttempts": 1 }),
        json!({ "maxAttempts": 20 }),
    ] {
        let response = client
            .check_config(check_request(
                "pulumi:providers:sagemaker-deployment",
                news.clone(),
            ))
            .await
            .expect("CheckConfig succeeds")
            .into_inner();
        assert!(
            response.failures.is_empty(),
            "{news}: {:?}",
            response.failures
        );
    }
    provider.stop().await;
}

#[tokio::test]
async fn check_config_names_the_retry_setting_and_the_rule_it_breaks() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    let cases = [
        (
            json!({ "maxAttempts": 0 }),
            "maxAttempts",
            "must be between 1 and 20",
        ),
        (json!({ "maxAttempts": "50" }), "maxAttempts", "got 50"),
        (json!({ "retryMode": "legacy" }), "retryMode", "`standard`"),
    ];
    for (news, property, rule) in cases {
        let response = client
            .check_config(check_request(
                "pulumi:providers:sagemaker-deployment",
                news.clone(),
            ))
            .await
            .expect("CheckConfig answers")
            .into_inner();
        assert_eq!(
            response.failures.len(),
            1,
            "{news}: {:?}",
            response.failures
        );
        let failure = &response.failures[0];
        assert_eq!(failure.property, property, "{news}: {}", failure.reason);
        assert!(failure.reason.contains(rule), "{news}: {}", failure.reason);
    }
    // Configure refuses what CheckConfig reports.
    let status = client
        .configure(ConfigureRequest {
            args: Some(pb_struct(json!({ "maxAttempts": 0 }))),
            ..Default::default()
        })
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("maxAttempts"), "{status:?}");
    provider.stop().await;
}

#[tokio::test]
async fn configure_supports_preview_and_accepts_secrets_and_outputs() {
    let provider = Provider::start().await;
    let tripwire = Tripwire::start().await;
    let response = configure(&provider, &tripwire).await;
    assert!(response.supports_preview);
    assert!(response.accept_secrets);
    assert!(response.accept_outputs);
    assert!(response.accept_resources);
    assert_eq!(tripwire.connections(), 0, "Configure called AWS");
    provider.stop().await;
}

#[tokio::test]
async fn configure_rejects_bad_endpoints_with_invalid_argument() {
    let provider = Provider::start().await;
    let status = provider
        .client()
        .configure(ConfigureRequest {
            args: Some(pb_struct(json!({ "endpoints": "{not json" }))),
            ..Default::default()
        })
        .await
        .expect_err("Configure fails");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().contains("endpoints"),
        "{}",
        status.message()
    );
    provider.stop().await;
}

// ---------------------------------------------------------------------------
// Check

#[tokio::test]
async fn check_reports_an_invalid_bucket_name_at_bucket_name() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    for name in ["Bad_Bucket", "ab", "-starts-with-dash", "has..dots"] {
        let response = client
            .check(check_request(BUCKET, json!({ "bucketName": name })))
            .await
            .expect("Check answers")
            .into_inner();
        assert!(
            response.failures.iter().any(|f| f.property == "bucketName"),
            "{name}: {:?}",
            response.failures
        );
    }
    let valid = client
        .check(check_request(
            BUCKET,
            json!({ "bucketName": "my-model-artifacts", "versioning": true }),
        ))
        .await
        .expect("Check answers")
        .into_inner();
    assert!(valid.failures.is_empty(), "{:?}", valid.failures);
    let inputs = valid.inputs.expect("inputs");
    assert_eq!(struct_to_json(&inputs)["bucketName"], "my-model-artifacts");
    provider.stop().await;
}

#[tokio::test]
async fn check_with_unknown_required_values_has_no_failures() {
    let provider = Provider::start().await;
    let response = provider
        .client()
        .check(check_request(
            BUCKET,
            json!({ "bucketName": UNKNOWN, "versioning": true }),
        ))
        .await
        .expect("Check answers")
        .into_inner();
    assert!(response.failures.is_empty(), "{:?}", response.failures);
    let inputs = response.inputs.expect("inputs");
    assert!(
        is_unknown(field(&inputs, "bucketName")),
        "the unknown is kept"
    );
    provider.stop().await;
}

#[tokio::test]
async fn check_with_a_wrong_type_names_the_field_path() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    for (news, path) in [
        (
            json!({ "bucketName": "my-bucket", "versioning": "yes" }),
            "versioning",
        ),
        (json!({ "bucketName": 42 }), "bucketName"),
        (
            json!({ "bucketName": "my-bucket", "tags": { "team": 5 } }),
            "tags.team",
        ),
    ] {
        let response = client
            .check(check_request(BUCKET, news.clone()))
            .await
            .expect("Check answers")
            .into_inner();
        assert_eq!(
            response.failures.len(),
            1,
            "{news}: {:?}",
            response.failures
        );
        assert_eq!(
            response.failures[0].property, path,
            "{news}: {:?}",
            response.failures
        );
    }
    let missing = client
        .check(check_request(BUCKET, json!({ "versioning": true })))
        .await
        .expect("Check answers")
        .into_inner();
    assert_eq!(missing.failures.len(), 1, "{:?}", missing.failures);
    assert_eq!(missing.failures[0].property, "bucketName");
    assert_eq!(missing.failures[0].reason, "is required");
    provider.stop().await;
}

#[tokio::test]
async fn check_finds_the_type_from_the_urn_when_the_type_is_not_sent() {
    let provider = Provider::start().await;
    let mut request = check_request(BUCKET, json!({ "bucketName": "Not Valid" }));
    request.r#type = String::new();
    request.urn = bucket_urn("artifacts");
    let response = provider
        .client()
        .check(request)
        .await
        .expect("Check answers")
        .into_inner();
    assert!(response.failures.iter().any(|f| f.property == "bucketName"));
    provider.stop().await;
}

#[tokio::test]
async fn messages_larger_than_the_grpc_default_are_accepted() {
    let provider = Provider::start().await;
    let big = "x".repeat(6 * 1024 * 1024);
    let response = provider
        .client()
        .check(check_request(
            BUCKET,
            json!({ "bucketName": "my-bucket", "tags": { "big": big } }),
        ))
        .await
        .expect("a 6 MiB request is served")
        .into_inner();
    let inputs = response.inputs.expect("inputs");
    assert_eq!(
        struct_to_json(&inputs)["tags"]["big"]
            .as_str()
            .map(str::len),
        Some(6 * 1024 * 1024)
    );
    provider.stop().await;
}

// ---------------------------------------------------------------------------
// Diff

#[tokio::test]
async fn diff_of_equal_inputs_is_diff_none() {
    let provider = Provider::start().await;
    let inputs = json!({ "bucketName": "my-bucket", "versioning": true, "tags": { "a": "b" } });
    let response = provider
        .client()
        .diff(diff_request(inputs.clone(), inputs))
        .await
        .expect("Diff answers")
        .into_inner();
    assert_eq!(response.changes, DiffChanges::DiffNone as i32);
    assert!(response.replaces.is_empty());
    assert!(response.diffs.is_empty());
    provider.stop().await;
}

#[tokio::test]
async fn diff_of_bucket_name_replaces_deleting_first() {
    let provider = Provider::start().await;
    let response = provider
        .client()
        .diff(diff_request(
            json!({ "bucketName": "my-bucket", "versioning": true }),
            json!({ "bucketName": "other-bucket", "versioning": true }),
        ))
        .await
        .expect("Diff answers")
        .into_inner();
    assert_eq!(response.changes, DiffChanges::DiffSome as i32);
    assert_eq!(response.replaces, vec!["bucketName".to_owned()]);
    assert!(response.delete_before_replace);
    assert!(response.has_detailed_diff);
    assert_eq!(
        response.detailed_diff["bucketName"].kind,
        property_diff::Kind::UpdateReplace as i32
    );
    provider.stop().await;
}

#[tokio::test]
async fn diff_of_versioning_updates_in_place() {
    let provider = Provider::start().await;
    let response = provider
        .client()
        .diff(diff_request(
            json!({ "bucketName": "my-bucket", "versioning": false }),
            json!({ "bucketName": "my-bucket", "versioning": true }),
        ))
        .await
        .expect("Diff answers")
        .into_inner();
    assert_eq!(response.changes, DiffChanges::DiffSome as i32);
    assert!(response.replaces.is_empty(), "{:?}", response.replaces);
    assert!(!response.delete_before_replace);
    assert_eq!(response.diffs, vec!["versioning".to_owned()]);
    assert_eq!(
        response.detailed_diff["versioning"].kind,
        property_diff::Kind::Update as i32
    );
    assert!(response.detailed_diff["versioning"].input_diff);
    provider.stop().await;
}

#[tokio::test]
async fn diff_with_an_unknown_new_value_is_a_change() {
    let provider = Provider::start().await;
    let response = provider
        .client()
        .diff(diff_request(
            json!({ "bucketName": "my-bucket", "kmsKeyArn": "arn:aws:kms:us-east-1:1:key/a" }),
            json!({ "bucketName": "my-bucket", "kmsKeyArn": UNKNOWN }),
        ))
        .await
        .expect("Diff answers")
        .into_inner();
    assert_eq!(response.changes, DiffChanges::DiffSome as i32);
    assert_eq!(response.diffs, vec!["kmsKeyArn".to_owned()]);
    assert!(response.replaces.is_empty());
    provider.stop().await;
}

// ---------------------------------------------------------------------------
// Create (preview)

#[tokio::test]
async fn create_preview_returns_inputs_and_unknown_outputs_without_calling_aws() {
    let provider = Provider::start().await;
    let tripwire = Tripwire::start().await;
    configure(&provider, &tripwire).await;
    let response = provider
        .client()
        .create(CreateRequest {
            urn: bucket_urn("artifacts"),
            properties: Some(pb_struct(
                json!({ "bucketName": "my-bucket", "versioning": true }),
            )),
            timeout: 0.0,
            preview: true,
            name: "artifacts".into(),
            r#type: BUCKET.into(),
        })
        .await
        .expect("a preview Create succeeds")
        .into_inner();
    assert_eq!(response.id, "");
    let outputs = response.properties.expect("outputs");
    let json_outputs = struct_to_json(&outputs);
    assert_eq!(json_outputs["bucketName"], "my-bucket");
    assert_eq!(json_outputs["versioning"], true);
    assert!(
        is_unknown(field(&outputs, "arn")),
        "arn is unknown: {json_outputs}"
    );
    assert!(
        is_unknown(field(&outputs, "region")),
        "region is unknown: {json_outputs}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(tripwire.connections(), 0, "a preview called AWS");
    provider.stop().await;
}

#[tokio::test]
async fn a_secret_input_stays_secret_in_preview_outputs() {
    let provider = Provider::start().await;
    let tripwire = Tripwire::start().await;
    configure(&provider, &tripwire).await;
    let key = "arn:aws:kms:us-east-1:123456789012:key/abc";
    let response = provider
        .client()
        .create(CreateRequest {
            urn: bucket_urn("artifacts"),
            properties: Some(pb_struct(json!({
                "bucketName": "my-bucket",
                "kmsKeyArn": secret(json!(key)),
            }))),
            preview: true,
            r#type: BUCKET.into(),
            ..Default::default()
        })
        .await
        .expect("a preview Create succeeds")
        .into_inner();
    let outputs = struct_to_json(&response.properties.expect("outputs"));
    assert_eq!(
        outputs["kmsKeyArn"],
        json!({ SPECIAL: SECRET, "value": key })
    );
    assert_eq!(tripwire.connections(), 0, "a preview called AWS");
    provider.stop().await;
}

#[tokio::test]
async fn a_real_create_before_configure_fails_with_failed_precondition() {
    let provider = Provider::start().await;
    let status = provider
        .client()
        .create(CreateRequest {
            urn: bucket_urn("artifacts"),
            properties: Some(pb_struct(json!({ "bucketName": "my-bucket" }))),
            r#type: BUCKET.into(),
            ..Default::default()
        })
        .await
        .expect_err("no AWS clients yet");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    provider.stop().await;
}

// ---------------------------------------------------------------------------
// Errors and the rest of the protocol

#[tokio::test]
async fn an_unknown_type_token_is_not_found_and_named() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    let token = "sagemaker-deployment:nope:Nothing";
    let check = client
        .check(check_request(token, json!({})))
        .await
        .expect_err("Check fails");
    let diff = client
        .diff(DiffRequest {
            r#type: token.into(),
            ..Default::default()
        })
        .await
        .expect_err("Diff fails");
    let create = client
        .create(CreateRequest {
            r#type: token.into(),
            preview: true,
            ..Default::default()
        })
        .await
        .expect_err("Create fails");
    let construct = client
        .construct(ConstructRequest {
            r#type: token.into(),
            name: "x".into(),
            monitor_endpoint: dead_address().await.to_string(),
            ..Default::default()
        })
        .await
        .expect_err("Construct fails");
    for status in [check, diff, create, construct] {
        assert_eq!(status.code(), Code::NotFound, "{status:?}");
        assert!(status.message().contains(token), "{}", status.message());
    }
    provider.stop().await;
}

#[tokio::test]
async fn rpcs_the_provider_does_not_serve_answer_unimplemented() {
    let provider = Provider::start().await;
    let mut grpc = tonic::client::Grpc::new(provider.channel.clone());
    for method in [
        "Call",
        "StreamInvoke",
        "Attach",
        "GetMapping",
        "Parameterize",
    ] {
        grpc.ready().await.expect("the channel is ready");
        let path = format!("/pulumirpc.ResourceProvider/{method}");
        let result = grpc
            .unary::<_, (), _>(
                tonic::Request::new(()),
                path.parse().expect("a valid path"),
                tonic_prost::ProstCodec::<(), ()>::default(),
            )
            .await;
        let status = result.expect_err("not served");
        assert_eq!(status.code(), Code::Unimplemented, "{method}: {status:?}");
    }
    provider.stop().await;
}

#[tokio::test]
async fn cancel_returns_ok() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    client.cancel(()).await.expect("Cancel succeeds");
    // The provider still answers afterwards.
    client.get_plugin_info(()).await.expect("still serving");
    provider.stop().await;
}

// ---------------------------------------------------------------------------
// Construct

fn construct_request(inputs: serde_json::Value, monitor: String) -> ConstructRequest {
    ConstructRequest {
        project: "proj".into(),
        stack: "dev".into(),
        dry_run: true,
        parallel: 4,
        monitor_endpoint: monitor,
        r#type: BASE_INFRA.into(),
        name: "base".into(),
        inputs: Some(pb_struct(inputs)),
        accepts_output_values: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn construct_with_invalid_inputs_fails_before_dialling_the_monitor() {
    let provider = Provider::start().await;
    let dead = dead_address().await;
    let status = provider
        .client()
        .construct(construct_request(
            json!({ "projectName": "Bad Name", "stage": "dev" }),
            dead.to_string(),
        ))
        .await
        .expect_err("Construct fails");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().contains("projectName"),
        "{}",
        status.message()
    );
    assert!(
        !status.message().contains("monitor"),
        "{}",
        status.message()
    );
    provider.stop().await;
}

#[tokio::test]
async fn construct_with_valid_inputs_but_no_monitor_fails_naming_the_monitor() {
    let provider = Provider::start().await;
    let dead = dead_address().await;
    let status = tokio::time::timeout(
        Duration::from_secs(30),
        provider.client().construct(construct_request(
            json!({ "projectName": "demo", "stage": "dev" }),
            dead.to_string(),
        )),
    )
    .await
    .expect("Construct answers in time")
    .expect_err("Construct fails");
    assert_ne!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().contains("monitor"), "{}", status.message());
    provider.stop().await;
}

#[tokio::test]
async fn every_value_kind_survives_check_unchanged() {
    // Check echoes inputs it does not normalise: whatever the engine sends
    // (secrets, unknowns, output values, references, assets) comes back as
    // it was.
    let provider = Provider::start().await;
    let tags = json!({
        "plain": "v",
        "secret": secret(json!("s")),
        "unknownBool": "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    });
    let news = json!({ "bucketName": "my-bucket", "tags": tags });
    let response = provider
        .client()
        .check(check_request(BUCKET, news.clone()))
        .await
        .expect("Check answers")
        .into_inner();
    let inputs = struct_to_json(&response.inputs.expect("inputs"));
    assert_eq!(inputs["tags"], news["tags"]);
    assert_eq!(inputs["bucketName"], "my-bucket");
    provider.stop().await;
}

#[test]
fn the_proto_value_helpers_agree_with_the_provider_codec() {
    let value = pb(json!({ "a": [1, { SPECIAL: SECRET, "value": "x" }] }));
    let decoded = framework::wire::value_from_proto(&value);
    assert_eq!(framework::wire::value_to_proto(&decoded), value);
}

#[tokio::test]
async fn invoke_runs_a_function_or_names_what_is_wrong_with_its_arguments() {
    let provider = Provider::start().await;
    let mut client = provider.client();
    let deployment: serde_json::Value =
        serde_json::from_str(include_str!("../../examples/config/deployment-config.json")).unwrap();
    let mut model: serde_json::Value =
        serde_json::from_str(include_str!("../../examples/config/model-config.json")).unwrap();
    let invoke = |tok: &str, args: serde_json::Value| proto::InvokeRequest {
        tok: tok.into(),
        args: Some(pb_struct(args)),
    };
    const VALIDATE: &str = "sagemaker-deployment:index:validateConfig";

    let valid = client
        .invoke(invoke(
            VALIDATE,
            json!({"deploymentConfig": deployment, "modelConfig": model, "environment": "dev"}),
        ))
        .await
        .expect("Invoke succeeds")
        .into_inner();
    assert!(valid.failures.is_empty(), "{:?}", valid.failures);
    let result = struct_to_json(valid.r#return.as_ref().expect("a result"));
    assert_eq!(
        result,
        json!({"valid": true, "problems": [], "environments": ["dev"]})
    );

    model["modelList"][0]["InstanceCont"] = json!(2);
    let invalid = client
        .invoke(invoke(
            VALIDATE,
            json!({"deploymentConfig": deployment, "modelConfig": model, "environment": "dev"}),
        ))
        .await
        .expect("Invoke succeeds")
        .into_inner();
    let result = struct_to_json(invalid.r#return.as_ref().expect("a result"));
    assert_eq!(result["valid"], json!(false));
    assert_eq!(
        result["problems"][0]["path"],
        json!("modelConfig.modelList[0].InstanceCont")
    );

    // Arguments that do not read: failures, each naming the argument.
    let refused = client
        .invoke(invoke(
            VALIDATE,
            json!({"deploymentConfig": deployment, "environment": 3}),
        ))
        .await
        .expect("Invoke answers")
        .into_inner();
    let mut properties: Vec<&str> = refused
        .failures
        .iter()
        .map(|f| f.property.as_str())
        .collect();
    properties.sort();
    assert_eq!(properties, ["environment", "modelConfig"]);
    assert!(refused.r#return.is_none());

    let unknown = client
        .invoke(invoke(
            "sagemaker-deployment:index:noSuchFunction",
            json!({}),
        ))
        .await
        .expect_err("an unknown function fails");
    assert_eq!(unknown.code(), Code::NotFound);
    assert!(
        unknown.message().contains("noSuchFunction"),
        "{}",
        unknown.message()
    );
    provider.stop().await;
}

#[tokio::test]
async fn the_schema_describes_each_function_s_inputs_and_outputs() {
    let provider = Provider::start().await;
    let schema = provider
        .client()
        .get_schema(GetSchemaRequest::default())
        .await
        .expect("GetSchema succeeds")
        .into_inner()
        .schema;
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let functions = schema["functions"].as_object().expect("functions");
    let mut tokens: Vec<&str> = functions.keys().map(String::as_str).collect();
    tokens.sort();
    assert_eq!(
        tokens,
        [
            "sagemaker-deployment:index:dashboardBody",
            "sagemaker-deployment:index:deployerPolicy",
            "sagemaker-deployment:index:endpointConfigPlan",
            "sagemaker-deployment:index:getModelParameters",
            "sagemaker-deployment:index:validateConfig",
        ]
    );
    let validate = &functions["sagemaker-deployment:index:validateConfig"];
    assert_eq!(
        validate["inputs"]["required"],
        json!(["deploymentConfig", "modelConfig"])
    );
    assert_eq!(
        validate["outputs"]["properties"]["valid"]["type"],
        json!("boolean")
    );
    assert!(
        validate["description"]
            .as_str()
            .unwrap()
            .contains("JSON path")
    );
    provider.stop().await;
}
