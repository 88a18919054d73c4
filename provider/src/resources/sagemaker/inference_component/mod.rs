//! `sagemaker-deployment:sagemaker:InferenceComponent`: one model on an
//! endpoint that hosts inference components, with its own compute
//! requirements and copies.
//!
//! Create, update and delete wait until SageMaker is done with the
//! component (Creating, Updating, Deleting), showing its state and copies,
//! stopping on Cancel and within the custom timeouts. A new model or new
//! compute requirements go through UpdateInferenceComponent with the
//! rolling update policy, and the update is verified: the component must
//! be InService and run the new model, or the update fails with
//! SageMaker's reason (a rollback included). A copy count alone goes
//! through UpdateInferenceComponentRuntimeConfig. A Failed component is
//! recorded as Failed with its reason, and the next `up` replaces it
//! (SageMaker allows only deleting it).
//!
//! `rules` holds the preview checks, `state` the waiting.

pub mod rules;
pub mod state;

use async_trait::async_trait;
use aws_sdk_sagemaker::types::{
    Alarm, AutoRollbackConfig, InferenceComponentCapacitySize, InferenceComponentCapacitySizeType,
    InferenceComponentComputeResourceRequirements, InferenceComponentDeploymentConfig,
    InferenceComponentRollingUpdatePolicy, InferenceComponentRuntimeConfig,
    InferenceComponentSpecification, InferenceComponentStartupParameters, InferenceComponentStatus,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use self::state::{Settled, describe, status_text, wait_settled_or_gone};
use super::{changed_fields, retag, sagemaker_tags};
use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use crate::resources::Tags;
use framework::wire::{PropertyMap, PropertyValue};
use framework::{
    Created, CustomResource, Failures, Output, ProviderError, ReadOutcome, Result, encode_plain,
};

/// What one copy of the model needs on an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComputeRequirements {
    /// CPU cores per copy (at least 0.25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_cpu_cores_required: Option<f64>,
    /// Memory reserved per copy, in MB (at least 128).
    pub min_memory_required_in_mb: u32,
    /// Most memory a copy may use, in MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory_required_in_mb: Option<u32>,
    /// GPUs or Inferentia/Trainium devices per copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_accelerator_devices_required: Option<f64>,
}

/// A batch of a rolling update: copies, or a percentage of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchSize {
    /// `COPY_COUNT` or `CAPACITY_PERCENT`.
    pub r#type: String,
    /// Copies, or percent (1-100).
    pub value: u32,
}

/// How a new specification replaces the running copies: in batches, with
/// a wait between them, rolled back when an alarm fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdate {
    /// Copies replaced per batch.
    pub maximum_batch_size: BatchSize,
    /// Seconds to watch each batch before the next (0-3600).
    #[serde(default)]
    pub wait_interval_in_seconds: u32,
    /// Seconds the whole update may take (600-28800).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_execution_timeout_in_seconds: Option<u32>,
    /// Copies restored per batch when rolling back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_maximum_batch_size: Option<BatchSize>,
    /// CloudWatch alarms that roll the update back when they fire.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollback_alarms: Vec<String>,
}

/// An inference component: a model with its compute requirements and
/// copies on a variant of an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InferenceComponentInputs {
    /// The component name (SageMaker's pattern, at most 63 characters).
    pub inference_component_name: String,
    /// The endpoint hosting the component.
    pub endpoint_name: Output<String>,
    /// The endpoint's variant the component runs on.
    pub variant_name: String,
    /// The SageMaker model the component serves.
    pub model_name: Output<String>,
    /// What each copy needs.
    pub compute: ComputeRequirements,
    /// Copies at creation (at least 1), and afterwards unless autoscaling
    /// owns the count.
    #[serde(default = "one")]
    pub copy_count: u32,
    /// The variant's instance type, to check that a copy fits an instance
    /// at preview (not sent: the endpoint's configuration sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Seconds SageMaker waits for a copy's container health check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_startup_health_check_timeout_in_seconds: Option<u32>,
    /// Seconds SageMaker allows to download the model for a copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_data_download_timeout_in_seconds: Option<u32>,
    /// How a new model or new requirements roll out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdate>,
    /// True when Application Auto Scaling owns the copy count: diff ignores
    /// it and updates leave it alone.
    #[serde(default)]
    pub autoscaling_managed: bool,
    /// Tags on the component.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn one() -> u32 {
    1
}

/// The component as deployed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InferenceComponentOutputs {
    /// The inputs it was last deployed with.
    #[serde(flatten)]
    pub inputs: InferenceComponentInputs,
    /// The component ARN.
    pub arn: String,
    /// The component's status when last seen.
    pub inference_component_status: String,
    /// Why the component last failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

/// The output field whose recorded value `Failed` forces a replacement.
const STATUS_FIELD: &str = "inferenceComponentStatus";

/// The fields of the specification: a change to any of them is a
/// specification update, rolled out.
const SPECIFICATION_FIELDS: [&str; 4] = [
    "modelName",
    "compute",
    "containerStartupHealthCheckTimeoutInSeconds",
    "modelDataDownloadTimeoutInSeconds",
];

/// The inference-component resource.
pub struct InferenceComponent;

impl InferenceComponentInputs {
    fn specification(&self) -> InferenceComponentSpecification {
        let compute = &self.compute;
        let requirements = InferenceComponentComputeResourceRequirements::builder()
            .set_number_of_cpu_cores_required(
                compute.number_of_cpu_cores_required.map(|c| c as f32),
            )
            .min_memory_required_in_mb(compute.min_memory_required_in_mb as i32)
            .set_max_memory_required_in_mb(compute.max_memory_required_in_mb.map(|m| m as i32))
            .set_number_of_accelerator_devices_required(
                compute
                    .number_of_accelerator_devices_required
                    .map(|d| d as f32),
            )
            .build();
        let mut spec = InferenceComponentSpecification::builder()
            .model_name(self.model_name.as_str())
            .compute_resource_requirements(requirements);
        if self
            .container_startup_health_check_timeout_in_seconds
            .is_some()
            || self.model_data_download_timeout_in_seconds.is_some()
        {
            spec = spec.startup_parameters(
                InferenceComponentStartupParameters::builder()
                    .set_container_startup_health_check_timeout_in_seconds(
                        self.container_startup_health_check_timeout_in_seconds
                            .map(|s| s as i32),
                    )
                    .set_model_data_download_timeout_in_seconds(
                        self.model_data_download_timeout_in_seconds
                            .map(|s| s as i32),
                    )
                    .build(),
            );
        }
        spec.build()
    }

    fn runtime_config(&self) -> InferenceComponentRuntimeConfig {
        InferenceComponentRuntimeConfig::builder()
            .copy_count(self.copy_count as i32)
            .build()
    }
}

fn capacity_size(size: &BatchSize) -> InferenceComponentCapacitySize {
    InferenceComponentCapacitySize::builder()
        .r#type(InferenceComponentCapacitySizeType::from(
            size.r#type.as_str(),
        ))
        .value(size.value as i32)
        .build()
}

/// The rolling update as UpdateInferenceComponent takes it.
fn deployment_config(update: &RollingUpdate) -> InferenceComponentDeploymentConfig {
    let policy = InferenceComponentRollingUpdatePolicy::builder()
        .maximum_batch_size(capacity_size(&update.maximum_batch_size))
        .wait_interval_in_seconds(update.wait_interval_in_seconds as i32)
        .set_maximum_execution_timeout_in_seconds(
            update
                .maximum_execution_timeout_in_seconds
                .map(|s| s as i32),
        )
        .set_rollback_maximum_batch_size(
            update
                .rollback_maximum_batch_size
                .as_ref()
                .map(capacity_size),
        )
        .build();
    let mut config = InferenceComponentDeploymentConfig::builder().rolling_update_policy(policy);
    if !update.rollback_alarms.is_empty() {
        config = config.auto_rollback_configuration(
            AutoRollbackConfig::builder()
                .set_alarms(Some(
                    update
                        .rollback_alarms
                        .iter()
                        .map(|name| Alarm::builder().alarm_name(name).build())
                        .collect(),
                ))
                .build(),
        );
    }
    config.build()
}

/// The outputs recorded for `inputs` as SageMaker shows the component.
fn recorded(
    inputs: &InferenceComponentInputs,
    arn: &str,
    settled: &Settled,
) -> InferenceComponentOutputs {
    InferenceComponentOutputs {
        inputs: inputs.clone(),
        arn: arn.to_owned(),
        inference_component_status: settled.status.clone(),
        failure_reason: settled.failure_reason.clone(),
    }
}

/// A failure after the component exists: it is recorded as it is, so that
/// the engine keeps it (and replaces it when Failed).
fn partial(id: &str, outputs: &InferenceComponentOutputs, reason: String) -> ProviderError {
    match (encode_plain(outputs), encode_plain(&outputs.inputs)) {
        (Ok(encoded), Ok(inputs)) => ProviderError::PartialFailure {
            id: id.to_owned(),
            outputs: Box::new(encoded),
            inputs: Box::new(inputs),
            reason,
        },
        (Err(error), _) | (_, Err(error)) => error,
    }
}

/// Why a component is not what was asked, or `None` when it serves `model`.
fn not_serving(name: &str, settled: &Settled, model: &str) -> Option<String> {
    if !settled.in_service() {
        let mut reason = format!(
            "inference component {name} is {} instead of InService: {}",
            settled.status,
            settled.reason()
        );
        if settled.status == InferenceComponentStatus::Failed.as_str() {
            reason.push_str(
                ". SageMaker allows only deleting a failed inference component: the next \
                 `pulumi up` deletes and re-creates it",
            );
        }
        return Some(reason);
    }
    match settled.model_name.as_deref() {
        Some(running) if running != model => Some(format!(
            "inference component {name} runs model {running} instead of {model}: the update was \
             rolled back ({})",
            settled.reason()
        )),
        _ => None,
    }
}

#[async_trait]
impl CustomResource for InferenceComponent {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sagemaker:InferenceComponent";
    const UPDATABLE: &'static [&'static str] = &[
        "modelName",
        "compute",
        "copyCount",
        "instanceType",
        "containerStartupHealthCheckTimeoutInSeconds",
        "modelDataDownloadTimeoutInSeconds",
        "rollingUpdate",
        "autoscalingManaged",
        "tags",
    ];
    /// The name is the component's identity: the old one goes first.
    const DELETE_BEFORE_REPLACE: bool = true;

    type Inputs = InferenceComponentInputs;
    type Outputs = InferenceComponentOutputs;

    fn ignored_in_diff(&self, news: &PropertyMap) -> Vec<&'static str> {
        if news.get("autoscalingManaged") == Some(&PropertyValue::Bool(true)) {
            vec!["copyCount"]
        } else {
            Vec::new()
        }
    }

    fn check(&self, inputs: &InferenceComponentInputs) -> Failures {
        let mut failures = Failures::new();
        rules::check_component(inputs, &|field| field.to_owned(), &mut failures);
        failures
    }

    fn replacement_forced_by(&self, olds: &InferenceComponentOutputs) -> Vec<&'static str> {
        if olds.inference_component_status == InferenceComponentStatus::Failed.as_str() {
            vec![STATUS_FIELD]
        } else {
            Vec::new()
        }
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &InferenceComponentInputs,
    ) -> Result<Created<InferenceComponentOutputs>> {
        let started = Instant::now();
        let name = &inputs.inference_component_name;
        let created = ctx
            .clients
            .sagemaker
            .create_inference_component()
            .inference_component_name(name)
            .endpoint_name(inputs.endpoint_name.as_str())
            .variant_name(&inputs.variant_name)
            .specification(inputs.specification())
            .runtime_config(inputs.runtime_config())
            .set_tags(Some(sagemaker_tags(&ctx.clients.tags_with(&inputs.tags))))
            .send()
            .await
            .aws(Service::SageMaker, "CreateInferenceComponent")?;
        let arn = created
            .inference_component_arn()
            .unwrap_or_default()
            .to_owned();
        let mut outputs = InferenceComponentOutputs {
            inputs: inputs.clone(),
            arn: arn.clone(),
            inference_component_status: InferenceComponentStatus::Creating.as_str().to_owned(),
            failure_reason: None,
        };
        // From here on the component exists: failures record it.
        let reason =
            match wait_settled_or_gone(ctx, started, name, "creating inference component").await {
                Ok(Some(settled)) => {
                    outputs = recorded(inputs, &arn, &settled);
                    match not_serving(name, &settled, inputs.model_name.as_str()) {
                        None => {
                            return Ok(Created {
                                id: name.clone(),
                                outputs,
                            });
                        }
                        Some(reason) => reason,
                    }
                }
                Ok(None) => format!("inference component {name} disappeared while being created"),
                Err(error) => format!(
                    "inference component {name} was created but did not become InService: {error}"
                ),
            };
        Err(partial(name, &outputs, reason))
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &InferenceComponentOutputs,
    ) -> Result<ReadOutcome<InferenceComponentInputs, InferenceComponentOutputs>> {
        let Some(found) = describe(ctx, id).await? else {
            return Ok(ReadOutcome::Gone);
        };
        let mut inputs = outputs.inputs.clone();
        if let Some(model) = found.specification().and_then(|spec| spec.model_name()) {
            inputs.model_name = Output::new(model.to_owned());
        }
        if !inputs.autoscaling_managed
            && let Some(copies) = found.runtime_config().and_then(|c| c.desired_copy_count())
        {
            inputs.copy_count = copies.max(0) as u32;
        }
        let found = InferenceComponentOutputs {
            inputs: inputs.clone(),
            arn: found
                .inference_component_arn()
                .unwrap_or(&outputs.arn)
                .to_owned(),
            inference_component_status: status_text(found.inference_component_status()),
            failure_reason: found
                .failure_reason()
                .filter(|reason| !reason.is_empty())
                .map(str::to_owned),
        };
        if found.inference_component_status == InferenceComponentStatus::Failed.as_str() {
            let reason = format!(
                "inference component {id} is Failed ({}). SageMaker allows only deleting it: it \
                 is recorded as Failed, and the next `pulumi up` deletes and re-creates it",
                found
                    .failure_reason
                    .as_deref()
                    .unwrap_or("SageMaker gave no reason")
            );
            return Err(partial(id, &found, reason));
        }
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: found,
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        olds: &InferenceComponentOutputs,
        news: &InferenceComponentInputs,
    ) -> Result<InferenceComponentOutputs> {
        let started = Instant::now();
        let changed = changed_fields(&olds.inputs, news);
        let specification_changed = changed
            .iter()
            .any(|field| SPECIFICATION_FIELDS.contains(&field.as_str()));
        let copies_changed = !news.autoscaling_managed && olds.inputs.copy_count != news.copy_count;
        let mut outputs = InferenceComponentOutputs {
            inputs: news.clone(),
            ..olds.clone()
        };
        if specification_changed || copies_changed {
            // SageMaker refuses to update a component it is still working
            // on (an autoscaling activity, say).
            wait_settled_or_gone(
                ctx,
                started,
                id,
                "waiting for the inference component to settle",
            )
            .await?;
        }
        if specification_changed {
            ctx.info(format!(
                "inference component {id}: rolling out {}",
                changed
                    .iter()
                    .filter(|f| SPECIFICATION_FIELDS.contains(&f.as_str()))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .await;
            ctx.clients
                .sagemaker
                .update_inference_component()
                .inference_component_name(id)
                .specification(news.specification())
                .set_deployment_config(news.rolling_update.as_ref().map(deployment_config))
                .send()
                .await
                .aws(Service::SageMaker, "UpdateInferenceComponent")?;
            verify(
                ctx,
                started,
                id,
                (&olds.inputs, news),
                &mut outputs,
                "updating inference component",
            )
            .await?;
        }
        if copies_changed {
            ctx.clients
                .sagemaker
                .update_inference_component_runtime_config()
                .inference_component_name(id)
                .desired_runtime_config(news.runtime_config())
                .send()
                .await
                .aws(Service::SageMaker, "UpdateInferenceComponentRuntimeConfig")?;
            verify(
                ctx,
                started,
                id,
                (&olds.inputs, news),
                &mut outputs,
                "changing the copies of inference component",
            )
            .await?;
        }
        retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        Ok(outputs)
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        _outputs: &InferenceComponentOutputs,
    ) -> Result<()> {
        let started = Instant::now();
        if wait_settled_or_gone(
            ctx,
            started,
            id,
            "waiting for the inference component to settle",
        )
        .await?
        .is_none()
        {
            return Ok(());
        }
        ctx.clients
            .sagemaker
            .delete_inference_component()
            .inference_component_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DeleteInferenceComponent")
            .or_gone()?;
        match wait_settled_or_gone(ctx, started, id, "deleting inference component").await? {
            None => Ok(()),
            Some(settled) => Err(ProviderError::failed(format!(
                "inference component {id} is {} instead of deleted: {}",
                settled.status,
                settled.reason()
            ))),
        }
    }
}

/// Waits for the component to settle after an update from `olds` to
/// `news` and checks that it serves `news`' model; a component that does
/// not is recorded as found (with `olds`' specification when it was rolled
/// back to it).
async fn verify(
    ctx: &Context,
    started: Instant,
    id: &str,
    (olds, news): (&InferenceComponentInputs, &InferenceComponentInputs),
    outputs: &mut InferenceComponentOutputs,
    what: &str,
) -> Result<()> {
    let settled = wait_settled_or_gone(ctx, started, id, what)
        .await?
        .ok_or_else(|| {
            ProviderError::failed(format!("inference component {id} disappeared while {what}"))
        })?;
    outputs.inference_component_status = settled.status.clone();
    outputs.failure_reason = settled.failure_reason.clone();
    match not_serving(id, &settled, news.model_name.as_str()) {
        None => Ok(()),
        Some(reason) => {
            if settled.model_name.as_deref() == Some(olds.model_name.as_str()) {
                outputs.inputs.model_name = olds.model_name.clone();
                outputs.inputs.compute = olds.compute.clone();
                outputs
                    .inputs
                    .container_startup_health_check_timeout_in_seconds =
                    olds.container_startup_health_check_timeout_in_seconds;
                outputs.inputs.model_data_download_timeout_in_seconds =
                    olds.model_data_download_timeout_in_seconds;
            } else if let Some(running) = &settled.model_name {
                outputs.inputs.model_name = Output::new(running.clone());
            }
            Err(partial(id, outputs, reason))
        }
    }
}

#[cfg(test)]
mod tests;
