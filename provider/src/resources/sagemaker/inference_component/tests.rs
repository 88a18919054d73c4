use aws_sdk_sagemaker::Client;
use aws_sdk_sagemaker::operation::create_inference_component::CreateInferenceComponentOutput;
use aws_sdk_sagemaker::operation::describe_inference_component::DescribeInferenceComponentOutput;
use aws_sdk_sagemaker::operation::update_inference_component::UpdateInferenceComponentOutput;
use aws_sdk_sagemaker::types::{
    InferenceComponentRuntimeConfigSummary, InferenceComponentSpecificationSummary,
};
use aws_smithy_mocks::{Rule, mock};

use super::super::model::tests::{checked_diff, context};
use super::*;

const ARN: &str = "arn:aws:sagemaker:us-east-1:123456789012:inference-component/chat-llama";

pub(crate) fn component() -> InferenceComponentInputs {
    InferenceComponentInputs {
        inference_component_name: "chat-llama".into(),
        endpoint_name: "chat".into(),
        variant_name: "AllTraffic".into(),
        model_name: "llama-v1".into(),
        compute: ComputeRequirements {
            number_of_cpu_cores_required: Some(2.0),
            min_memory_required_in_mb: 8192,
            max_memory_required_in_mb: None,
            number_of_accelerator_devices_required: Some(1.0),
        },
        copy_count: 2,
        instance_type: Some("ml.g5.12xlarge".into()),
        container_startup_health_check_timeout_in_seconds: Some(600),
        model_data_download_timeout_in_seconds: None,
        rolling_update: Some(RollingUpdate {
            maximum_batch_size: BatchSize {
                r#type: "COPY_COUNT".into(),
                value: 1,
            },
            wait_interval_in_seconds: 60,
            maximum_execution_timeout_in_seconds: None,
            rollback_maximum_batch_size: None,
            rollback_alarms: vec!["chat-llama-5xx".into()],
        }),
        autoscaling_managed: false,
        tags: Tags::new(),
    }
}

fn described(status: InferenceComponentStatus, model: &str) -> DescribeInferenceComponentOutput {
    DescribeInferenceComponentOutput::builder()
        .inference_component_name("chat-llama")
        .inference_component_arn(ARN)
        .inference_component_status(status)
        .specification(
            InferenceComponentSpecificationSummary::builder()
                .model_name(model)
                .build(),
        )
        .runtime_config(
            InferenceComponentRuntimeConfigSummary::builder()
                .desired_copy_count(1)
                .current_copy_count(1)
                .build(),
        )
        .build()
}

fn properties(failures: &Failures) -> Vec<String> {
    failures.0.iter().map(|f| f.property.clone()).collect()
}

#[test]
fn zero_copies_and_oversized_requirements_fail_naming_the_property() {
    assert!(InferenceComponent.check(&component()).is_empty());
    let mut bad = component();
    bad.copy_count = 0;
    bad.compute.min_memory_required_in_mb = 300_000;
    bad.compute.number_of_accelerator_devices_required = Some(8.0);
    let failures = InferenceComponent.check(&bad);
    assert_eq!(
        properties(&failures),
        [
            "copyCount",
            "compute.minMemoryRequiredInMb",
            "compute.numberOfAcceleratorDevicesRequired",
            // One copy (or none) cannot be rolled in batches of 5-50%.
            "rollingUpdate.maximumBatchSize.value"
        ]
    );
    assert!(
        failures.0[1]
            .reason
            .contains("does not fit one ml.g5.12xlarge instance (196608 MiB")
    );
    assert!(failures.0[2].reason.contains("(4 accelerators)"));
}

#[test]
fn a_new_model_updates_in_place_and_autoscaled_copies_are_left_out() {
    let olds = component();
    let mut news = component();
    news.model_name = "llama-v2".into();
    let changes = checked_diff(InferenceComponent, &olds, &news).changes;
    assert!(changes.iter().all(|c| !c.replace), "{changes:?}");
    assert!(changes.iter().any(|c| c.field == "modelName"));
    let mut scaled = component();
    scaled.autoscaling_managed = true;
    let mut rescaled = scaled.clone();
    rescaled.copy_count = 3;
    assert!(
        checked_diff(InferenceComponent, &scaled, &rescaled)
            .changes
            .is_empty()
    );
    let mut moved = component();
    moved.variant_name = "Other".into();
    assert!(
        checked_diff(InferenceComponent, &olds, &moved)
            .changes
            .iter()
            .any(|c| c.replace)
    );
}

#[tokio::test(start_paused = true)]
async fn create_waits_until_in_service() {
    let create = mock!(Client::create_inference_component)
        .match_requests(|req| {
            req.runtime_config().and_then(|c| c.copy_count()) == Some(2)
                && req.specification().and_then(|s| s.model_name()) == Some("llama-v1")
        })
        .then_output(|| {
            CreateInferenceComponentOutput::builder()
                .inference_component_arn(ARN)
                .build()
        });
    let describe = mock!(Client::describe_inference_component)
        .sequence()
        .output(|| described(InferenceComponentStatus::Creating, "llama-v1"))
        .output(|| described(InferenceComponentStatus::InService, "llama-v1"))
        .build();
    let ctx = context(&[&create, &describe]).await;
    let created = InferenceComponent.create(&ctx, &component()).await.unwrap();
    assert_eq!(created.outputs.inference_component_status, "InService");
    assert_eq!(created.outputs.arn, ARN);
    assert_eq!(describe.num_calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_component_is_recorded_with_its_reason() {
    let create = mock!(Client::create_inference_component).then_output(|| {
        CreateInferenceComponentOutput::builder()
            .inference_component_arn(ARN)
            .build()
    });
    let failed = mock!(Client::describe_inference_component).then_output(|| {
        DescribeInferenceComponentOutput::builder()
            .inference_component_name("chat-llama")
            .inference_component_status(InferenceComponentStatus::Failed)
            .failure_reason("Insufficient memory on the instance")
            .build()
    });
    let ctx = context(&[&create, &failed]).await;
    let Err(ProviderError::PartialFailure {
        outputs, reason, ..
    }) = InferenceComponent.create(&ctx, &component()).await
    else {
        panic!("a failed component is a partial failure");
    };
    assert!(
        reason.contains("Insufficient memory on the instance"),
        "{reason}"
    );
    assert_eq!(
        outputs.get("inferenceComponentStatus"),
        Some(&PropertyValue::String("Failed".into()))
    );
}

#[tokio::test(start_paused = true)]
async fn a_new_model_rolls_out_and_a_rollback_fails_the_update() {
    let olds = InferenceComponentOutputs {
        inputs: component(),
        arn: ARN.into(),
        inference_component_status: "InService".into(),
        failure_reason: None,
    };
    let mut news = component();
    news.model_name = "llama-v2".into();
    let update = || -> Rule {
        mock!(Client::update_inference_component)
            .match_requests(|req| {
                let policy = req
                    .deployment_config()
                    .and_then(|c| c.rolling_update_policy());
                req.specification().and_then(|s| s.model_name()) == Some("llama-v2")
                    && policy.and_then(|p| p.wait_interval_in_seconds()) == Some(60)
                    && req
                        .deployment_config()
                        .and_then(|c| c.auto_rollback_configuration())
                        .is_some_and(|r| r.alarms().len() == 1)
                    && req.runtime_config().is_none()
            })
            .then_output(|| {
                UpdateInferenceComponentOutput::builder()
                    .inference_component_arn(ARN)
                    .build()
            })
    };
    let updated = update();
    let rolled_out = mock!(Client::describe_inference_component)
        .sequence()
        .output(|| described(InferenceComponentStatus::InService, "llama-v1"))
        .output(|| described(InferenceComponentStatus::Updating, "llama-v1"))
        .output(|| described(InferenceComponentStatus::InService, "llama-v2"))
        .build();
    let ctx = context(&[&updated, &rolled_out]).await;
    let outputs = InferenceComponent
        .update(&ctx, "chat-llama", &olds, &news)
        .await
        .unwrap();
    assert_eq!(updated.num_calls(), 1);
    assert_eq!(outputs.inputs.model_name.as_str(), "llama-v2");

    let rolled_back = mock!(Client::describe_inference_component)
        .sequence()
        .output(|| described(InferenceComponentStatus::InService, "llama-v1"))
        .output(|| {
            DescribeInferenceComponentOutput::builder()
                .inference_component_status(InferenceComponentStatus::InService)
                .failure_reason("alarm chat-llama-5xx fired")
                .specification(
                    InferenceComponentSpecificationSummary::builder()
                        .model_name("llama-v1")
                        .build(),
                )
                .build()
        })
        .build();
    let updated = update();
    let ctx = context(&[&updated, &rolled_back]).await;
    let Err(ProviderError::PartialFailure {
        reason, outputs, ..
    }) = InferenceComponent
        .update(&ctx, "chat-llama", &olds, &news)
        .await
    else {
        panic!("a rolled-back update fails");
    };
    assert!(
        reason.contains("runs model llama-v1 instead of llama-v2"),
        "{reason}"
    );
    assert!(reason.contains("alarm chat-llama-5xx fired"), "{reason}");
    assert_eq!(
        outputs.get("modelName"),
        Some(&PropertyValue::String("llama-v1".into()))
    );
}
