//! Secrets through SageMakerModel, constructed through the provider's
//! Construct RPC against a recording resource monitor: a secret container
//! variable reaches the sagemaker:Model child still secret (the engine then
//! stores it encrypted), whether one value, the whole `Environment` or the
//! whole `modelList` is secret; what the child gets from a secret model list
//! as plain text is sent secret too; a plain environment stays plain.

mod support;

use framework::proto::ConstructRequest;
use serde_json::{Value, json};
use support::monitor::{Monitor, Registration};
use support::{Provider, SECRET, SPECIAL, pb_struct, secret};

const MODEL: &str = "sagemaker-deployment:sagemaker:Model";

fn model_entry(environment: Option<Value>) -> Value {
    let mut entry = json!({
        "ModelName": "text-model",
        "ModelS3Key": "models/text/model.tar.gz",
        "ModelDockerImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310",
        "VariantName": "Primary",
        "ModelServerWorkers": 2,
    });
    if let Some(environment) = environment {
        entry["Environment"] = environment;
    }
    entry
}

/// The sagemaker:Model child SageMakerModel registers for one model entry.
async fn registered_model(entry: Value) -> Registration {
    registered_from(json!([entry])).await
}

/// The sagemaker:Model child SageMakerModel registers for `model_list`.
async fn registered_from(model_list: Value) -> Registration {
    let provider = Provider::start().await;
    let monitor = Monitor::start().await;
    provider
        .client()
        .construct(ConstructRequest {
            project: "proj".into(),
            stack: "dev".into(),
            monitor_endpoint: monitor.addr.to_string(),
            r#type: "sagemaker-deployment:index:SageMakerModel".into(),
            name: "models".into(),
            inputs: Some(pb_struct(json!({
                "modelList": model_list,
                "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
                "modelArtifactBucketName": "artifacts",
            }))),
            ..Default::default()
        })
        .await
        .unwrap_or_else(|status| panic!("Construct fails: {status:?}"));
    provider.stop().await;
    monitor
        .children()
        .into_iter()
        .find(|child| child.token == MODEL)
        .expect("a model is registered")
}

fn is_secret(value: &Value) -> bool {
    value[SPECIAL] == SECRET
}

#[tokio::test]
async fn a_secret_variable_keeps_the_models_environment_secret() {
    let model = registered_model(model_entry(Some(json!({
        "API_KEY": secret(json!("sk-live-1234")),
        "MODE": "fast",
    }))))
    .await;
    let environment = &model.inputs["environment"];
    assert!(is_secret(environment), "{environment}");
    assert_eq!(
        environment["value"],
        json!({ "API_KEY": "sk-live-1234", "MODE": "fast", "SAGEMAKER_MODEL_SERVER_WORKERS": "2" })
    );
}

#[tokio::test]
async fn a_secret_environment_stays_secret() {
    let model = registered_model(model_entry(Some(secret(
        json!({ "API_KEY": "sk-live-1234" }),
    ))))
    .await;
    let environment = &model.inputs["environment"];
    assert!(is_secret(environment), "{environment}");
    assert_eq!(environment["value"]["API_KEY"], "sk-live-1234");
}

#[tokio::test]
async fn a_plain_environment_stays_plain() {
    let model = registered_model(model_entry(Some(json!({ "MODE": "fast" })))).await;
    assert_eq!(
        model.inputs["environment"],
        json!({ "MODE": "fast", "SAGEMAKER_MODEL_SERVER_WORKERS": "2" })
    );
    let bare = registered_model(model_entry(None)).await;
    assert_eq!(
        bare.inputs["environment"],
        json!({ "SAGEMAKER_MODEL_SERVER_WORKERS": "2" })
    );
}

#[tokio::test]
async fn a_secret_model_list_keeps_what_the_model_gets_from_it_secret() {
    let entry = model_entry(Some(json!({ "API_KEY": "sk-live-1234" })));
    let model = registered_from(secret(json!([entry]))).await;
    let environment = &model.inputs["environment"];
    assert!(is_secret(environment), "{environment}");
    assert_eq!(environment["value"]["API_KEY"], "sk-live-1234");
    // Read as plain text by the component, sent secret all the same.
    for field in ["namePrefix", "image"] {
        assert!(
            is_secret(&model.inputs[field]),
            "{field}: {}",
            model.inputs[field]
        );
    }
    assert_eq!(model.inputs["namePrefix"]["value"], "text-model");
    // What does not come from the list stays plain.
    assert_eq!(
        model.inputs["executionRoleArn"],
        "arn:aws:iam::123456789012:role/exec"
    );
}
