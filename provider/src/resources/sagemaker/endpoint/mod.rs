//! `sagemaker-deployment:sagemaker:Endpoint`: a SageMaker endpoint with
//! verified rollouts.
//!
//! Every change first waits until the endpoint is settled (an autoscaling
//! activity or an interrupted earlier update leaves it Updating, and
//! SageMaker refuses to update an endpoint in progress).
//!
//! This module holds the resource: its inputs and outputs, check, diff, and
//! create, read, update and delete. The parts of an update live beside it:
//! `update` plans an update and records the steps it verifiably made,
//! `config_switch` moves the endpoint to a new configuration
//! (UpdateEndpoint) after `retyped_variants` deregistered autoscaled
//! variants whose instance type changes, `weights_and_counts` changes weights and instance
//! counts alone (UpdateEndpointWeightsAndCapacities) and `outcome` checks
//! that the endpoint serves them, `rollout` is the blue/green rollout
//! policy both create and a configuration switch use and
//! `rollout_duration` the time it takes, `alarm_access` explains a refusal
//! to read its rollback alarms, `failed_endpoint` makes a Failed
//! endpoint be replaced instead of updated, and `workflow_carry` keeps the
//! models a Workflow deployed when the program changes the configuration.

mod alarm_access;
mod config_switch;
mod failed_endpoint;
mod lost_answer;
mod outcome;
mod retyped_variants;
mod rollout;
mod rollout_duration;
#[cfg(test)]
mod test_fixtures;
mod update;
mod weights_and_counts;
mod workflow_carry;

pub use self::rollout::{RolloutPolicy, ShiftSize, ShiftSizeUnit, TrafficShift};

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use self::failed_endpoint::{found_failed, recorded_failed, replacement_forced_by};
use self::lost_answer::deletion_taken_despite;
use self::rollout::{check_rollout, check_variant_names_kept, deployment_config};
use self::update::apply_update;
use self::weights_and_counts::serve_as_asked;
use super::sagemaker_tags;
use super::status::{
    Budget, DEFAULT_TIMEOUT, describe, live_variants, status_text, wait_settled,
    wait_settled_or_gone,
};
use crate::Context;
use crate::aws::lost_answers::{RequestClock, create_or_find, system_time};
use crate::aws::propagation::{
    ENDPOINT_CONFIG_PROPAGATION_WINDOW, endpoint_config_not_found_yet, retry_within_budget,
};
use crate::aws::{AwsError, OrGone, ResultExt, Service};
use crate::naming::{is_workflow_made, sagemaker_name_problem};
use crate::resources::Tags;
use framework::Output;
use framework::wire::{PropertyMap, PropertyValue};
use framework::{Created, CustomResource, Failures, Progress, ReadOutcome, encode_plain};
use framework::{ProviderError, Result};

/// A SageMaker endpoint serving one endpoint configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointInputs {
    /// The endpoint name (SageMaker's pattern, at most 63 characters).
    pub endpoint_name: String,
    /// The configuration the endpoint runs.
    pub endpoint_config_name: Output<String>,
    /// Desired traffic weight per variant.
    #[serde(default)]
    pub variant_weights: BTreeMap<String, f64>,
    /// Desired instance count per instance-backed variant.
    #[serde(default)]
    pub variant_instance_counts: BTreeMap<String, u32>,
    /// Instance type per instance-backed variant, as its configuration sets
    /// it. With autoscaling, a variant whose type changes is deregistered
    /// from Application Auto Scaling before the configuration update
    /// (SageMaker refuses the change otherwise); its `ScalableTarget`, whose
    /// `instanceType` changed too, registers it again after the update.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variant_instance_types: BTreeMap<String, String>,
    /// True when autoscaling owns the instance counts: diff ignores them and
    /// configuration updates retain the running instance counts (weights and
    /// data capture come from the new configuration).
    #[serde(default)]
    pub autoscaling_managed: bool,
    /// Blue/green rollout for configuration updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutPolicy>,
    /// Tags on the endpoint.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The endpoint as deployed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointOutputs {
    /// The inputs the endpoint was last deployed with.
    #[serde(flatten)]
    pub inputs: EndpointInputs,
    /// The endpoint ARN.
    pub arn: String,
    /// The endpoint status when last seen.
    pub endpoint_status: String,
    /// Why the endpoint last failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// When the running configuration is one this project's Workflow
    /// deployed (`<prefix>-wf-<UUID>`, a new model version on the same
    /// variants), the program's configuration it stands in for: refresh
    /// records the configuration that runs, and diff takes it for the one
    /// the program asks for, so an unchanged program changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_base_config_name: Option<String>,
}

/// The program's configuration that `running` stands in for when a Workflow
/// deployed it: the one recorded before (or the one that recorded
/// configuration stood in for, when the Workflow deployed that one too).
fn workflow_base(running: &str, recorded: &EndpointOutputs) -> Option<String> {
    if !is_workflow_made(running) {
        return None;
    }
    let recorded_config = recorded.inputs.endpoint_config_name.as_str();
    if is_workflow_made(recorded_config) {
        recorded.workflow_base_config_name.clone()
    } else {
        Some(recorded_config.to_owned()).filter(|name| !name.is_empty())
    }
}

/// True when `olds` runs a Workflow's configuration that stands in for
/// `asked`, the configuration the program asks for.
fn stands_in_for(olds: &EndpointOutputs, asked: &str) -> bool {
    is_workflow_made(olds.inputs.endpoint_config_name.as_str())
        && olds.workflow_base_config_name.as_deref() == Some(asked)
}

/// The endpoint resource.
pub struct Endpoint;

#[async_trait]
impl CustomResource for Endpoint {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sagemaker:Endpoint";
    const UPDATABLE: &'static [&'static str] = &[
        "endpointConfigName",
        "variantWeights",
        "variantInstanceCounts",
        "variantInstanceTypes",
        "autoscalingManaged",
        "rollout",
        "tags",
    ];

    type Inputs = EndpointInputs;
    type Outputs = EndpointOutputs;

    fn ignored_in_diff(&self, news: &PropertyMap) -> Vec<&'static str> {
        if news.get("autoscalingManaged") == Some(&PropertyValue::Bool(true)) {
            vec!["variantInstanceCounts"]
        } else {
            Vec::new()
        }
    }

    fn ignored_in_diff_against(
        &self,
        olds: &EndpointOutputs,
        news: &PropertyMap,
    ) -> Vec<&'static str> {
        let asked = news
            .get("endpointConfigName")
            .and_then(|value| framework::decode_value::<String>(value).ok());
        match asked {
            Some(asked) if stands_in_for(olds, &asked) => vec!["endpointConfigName"],
            _ => Vec::new(),
        }
    }

    fn check(&self, inputs: &EndpointInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = sagemaker_name_problem(&inputs.endpoint_name) {
            failures.push("endpointName", problem);
        }
        for (variant, weight) in &inputs.variant_weights {
            failures.require(
                *weight >= 0.0,
                format!("variantWeights.{variant}"),
                "must not be negative",
            );
        }
        if !inputs.variant_weights.is_empty() && inputs.variant_weights.values().all(|w| *w == 0.0)
        {
            failures.push(
                "variantWeights",
                "must not all be zero: no variant would receive traffic",
            );
        }
        for (variant, count) in &inputs.variant_instance_counts {
            failures.require(
                *count >= 1,
                format!("variantInstanceCounts.{variant}"),
                "must be at least 1",
            );
        }
        if let Some(rollout) = &inputs.rollout {
            check_rollout(rollout, &inputs.variant_instance_counts, &mut failures);
        }
        failures
    }

    fn check_change(&self, olds: &EndpointInputs, news: &EndpointInputs) -> Failures {
        let mut failures = Failures::new();
        // Another name is another endpoint: nothing is updated in place.
        if olds.endpoint_name == news.endpoint_name {
            check_variant_names_kept(olds, news, &mut failures);
        }
        failures
    }

    fn replacement_forced_by(&self, olds: &EndpointOutputs) -> Vec<&'static str> {
        replacement_forced_by(olds)
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &EndpointInputs,
    ) -> Result<Created<EndpointOutputs>> {
        // A new endpoint has no old fleet to shift traffic from: its rollout
        // applies to later updates, and creating it takes no baking time.
        let budget = Budget::starting_now(DEFAULT_TIMEOUT);
        let mut request = ctx
            .clients
            .sagemaker
            .create_endpoint()
            .endpoint_name(&inputs.endpoint_name)
            .endpoint_config_name(&inputs.endpoint_config_name)
            .set_tags(Some(sagemaker_tags(&ctx.clients.tags_with(&inputs.tags))));
        if let Some(rollout) = &inputs.rollout {
            request = request
                .deployment_config(deployment_config(rollout, &inputs.variant_instance_counts));
        }
        // A configuration created a moment ago may not be found yet; an
        // attempt whose answer was lost finds the endpoint it made.
        let clock = RequestClock::start();
        let arn = retry_within_budget(
            ctx,
            "creating endpoint",
            ENDPOINT_CONFIG_PROPAGATION_WINDOW,
            budget.remaining(ctx),
            endpoint_config_not_found_yet,
            || {
                let request = request.clone();
                async move {
                    let created = request
                        .send()
                        .await
                        .aws(Service::SageMaker, "CreateEndpoint")
                        .map(|created| created.endpoint_arn().unwrap_or_default().to_owned());
                    create_or_find(clock, created, || {
                        arn_and_creation_time(ctx, &inputs.endpoint_name)
                    })
                    .await
                }
            },
        )
        .await
        .map_err(|error| explain_aws_refusal(error, inputs))?;
        let mut outputs = EndpointOutputs {
            inputs: inputs.clone(),
            arn,
            endpoint_status: "Creating".to_owned(),
            failure_reason: None,
            workflow_base_config_name: None,
        };
        // From here on the endpoint exists: every failure returns it with its
        // id so that the engine records it and nothing is orphaned.
        let settled = wait_settled(ctx, budget, &inputs.endpoint_name, "creating endpoint").await;
        let reason = match settled {
            Ok(settled) if settled.in_service() => {
                outputs.endpoint_status = settled.status.as_str().to_owned();
                let id = &inputs.endpoint_name;
                match serve_as_asked(ctx, budget, id, &settled, inputs, &mut outputs).await {
                    Ok(()) => {
                        return Ok(Created {
                            id: id.clone(),
                            outputs,
                        });
                    }
                    Err(error) => format!(
                        "endpoint {id} was created, but not with the weights and instance counts asked: {error}"
                    ),
                }
            }
            Ok(settled) => {
                outputs.endpoint_status = settled.status.as_str().to_owned();
                outputs.failure_reason = settled.failure_reason.clone();
                let mut reason = format!(
                    "endpoint {} is {} instead of InService: {}",
                    inputs.endpoint_name,
                    settled.status.as_str(),
                    settled.reason()
                );
                if settled.failed() {
                    reason.push_str(
                        ". SageMaker allows only deleting a failed endpoint: \
                         the next `pulumi up` deletes and re-creates it",
                    );
                }
                reason
            }
            Err(error) => format!(
                "endpoint {} was created but did not become InService: {error}",
                inputs.endpoint_name
            ),
        };
        Err(ProviderError::PartialFailure {
            id: inputs.endpoint_name.clone(),
            outputs: Box::new(encode_plain(&outputs)?),
            inputs: Box::new(encode_plain(inputs)?),
            reason,
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &EndpointOutputs,
    ) -> Result<ReadOutcome<EndpointInputs, EndpointOutputs>> {
        let Some(found) = describe(ctx, id).await? else {
            return Ok(ReadOutcome::Gone);
        };
        let mut weights = BTreeMap::new();
        let mut counts = BTreeMap::new();
        for (name, variant) in live_variants(&found) {
            if let Some(weight) = variant.weight {
                weights.insert(name.clone(), weight);
            }
            if let Some(count) = variant.instance_count
                && (outputs.inputs.variant_instance_counts.contains_key(&name)
                    || !outputs.inputs.autoscaling_managed)
            {
                counts.insert(name, count);
            }
        }
        let inputs = EndpointInputs {
            endpoint_name: found.endpoint_name().unwrap_or(id).to_owned(),
            endpoint_config_name: Output::new(
                found.endpoint_config_name().unwrap_or_default().to_owned(),
            ),
            variant_weights: if weights.is_empty() {
                outputs.inputs.variant_weights.clone()
            } else {
                weights
            },
            variant_instance_counts: if counts.is_empty() {
                outputs.inputs.variant_instance_counts.clone()
            } else {
                counts
            },
            ..outputs.inputs.clone()
        };
        let found = EndpointOutputs {
            inputs: inputs.clone(),
            arn: found.endpoint_arn().unwrap_or_default().to_owned(),
            endpoint_status: status_text(found.endpoint_status()),
            failure_reason: found
                .failure_reason()
                .filter(|reason| !reason.is_empty())
                .map(str::to_owned),
            workflow_base_config_name: workflow_base(
                found.endpoint_config_name().unwrap_or_default(),
                outputs,
            ),
        };
        if recorded_failed(&found) {
            return Err(found_failed(id, &found));
        }
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: found,
            inputs,
        })
    }

    /// Rebuilds the endpoint from DescribeEndpoint: its configuration, the
    /// weights and instance counts it serves with, whether Application Auto
    /// Scaling owns the counts (a variant is a scalable target; the counts
    /// are then left out), and its tags (the provider's default tags left
    /// out). A rollout policy applies to the next update only: none is
    /// read back. Nor are the variants' instance types: DescribeEndpoint
    /// does not show them (they are the configuration's), and a program
    /// declaring the endpoint alone does not set them.
    async fn import(
        &self,
        ctx: &Context,
        id: &str,
    ) -> Result<ReadOutcome<EndpointInputs, EndpointOutputs>> {
        let Some(found) = describe(ctx, id).await? else {
            return Ok(ReadOutcome::Gone);
        };
        let arn = found.endpoint_arn().unwrap_or_default().to_owned();
        let variants: Vec<String> = live_variants(&found).into_keys().collect();
        let recorded = EndpointOutputs {
            inputs: EndpointInputs {
                endpoint_name: id.to_owned(),
                endpoint_config_name: Output::new(String::new()),
                variant_weights: BTreeMap::new(),
                variant_instance_counts: BTreeMap::new(),
                variant_instance_types: BTreeMap::new(),
                autoscaling_managed: autoscaled(ctx, id, &variants).await?,
                rollout: None,
                tags: ctx.clients.own_tags(super::live_tags(ctx, &arn).await?),
            },
            arn,
            endpoint_status: String::new(),
            failure_reason: None,
            workflow_base_config_name: None,
        };
        self.read(ctx, id, &recorded).await
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        olds: &EndpointOutputs,
        news: &EndpointInputs,
    ) -> Result<EndpointOutputs> {
        // A Workflow's configuration that stands in for the one asked for
        // stays: the update changes the rest (tags, weights, counts) around it.
        if stands_in_for(olds, news.endpoint_config_name.as_str()) {
            let news = EndpointInputs {
                endpoint_config_name: olds.inputs.endpoint_config_name.clone(),
                ..news.clone()
            };
            let mut updated = apply_update(ctx, id, olds, &news).await?;
            updated.workflow_base_config_name = olds.workflow_base_config_name.clone();
            return Ok(updated);
        }
        // The program asks for another configuration while the endpoint
        // runs a Workflow's: the program's, with the Workflow's models kept.
        let running = olds.inputs.endpoint_config_name.as_str();
        let asked = news.endpoint_config_name.as_str();
        if is_workflow_made(running)
            && running != asked
            && let Some(carried) =
                workflow_carry::carry_workflow_models(ctx, running, asked).await?
        {
            return update_carrying(ctx, id, olds, news, &carried).await;
        }
        apply_update(ctx, id, olds, news).await
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &EndpointOutputs) -> Result<()> {
        let budget = Budget::starting_now(DEFAULT_TIMEOUT);
        // SageMaker refuses to delete an endpoint in the middle of a change.
        // Whatever state it settles in (InService, Failed, OutOfService) can
        // be deleted; Cancel, the timeout and AWS errors stop here.
        let Some(settled) =
            wait_settled_or_gone(ctx, budget, id, "waiting before deleting endpoint").await?
        else {
            return Ok(());
        };
        match ctx
            .clients
            .sagemaker
            .delete_endpoint()
            .endpoint_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DeleteEndpoint")
        {
            Ok(_) => {}
            Err(error) if error.is_not_found() => return Ok(()),
            // An attempt whose answer was lost started the deletion: wait for it.
            Err(error) if deletion_taken_despite(ctx, id, &error).await? => {}
            Err(error) => return Err(error.into()),
        }
        ctx.wait_for(
            "deleting endpoint",
            DEFAULT_TIMEOUT,
            budget.started,
            || async {
                Ok(match describe(ctx, id).await? {
                    None => Progress::Done(()),
                    Some(found) => Progress::Waiting(status_text(found.endpoint_status())),
                })
            },
        )
        .await?;
        delete_workflow_deployment(ctx, &settled.config_name).await
    }
}

/// Switches endpoint `id` to `carried` (the configuration the program asks
/// for in `news`, with the Workflow's models kept) and records it standing
/// in for the program's. Once the switch is verified, the Workflow
/// configuration it replaces is deleted (its models run on in `carried`);
/// when the switch does not happen, `carried` is deleted again.
async fn update_carrying(
    ctx: &Context,
    id: &str,
    olds: &EndpointOutputs,
    news: &EndpointInputs,
    carried: &str,
) -> Result<EndpointOutputs> {
    let asked = news.endpoint_config_name.as_str().to_owned();
    let running = olds.inputs.endpoint_config_name.as_str().to_owned();
    let carrying = EndpointInputs {
        endpoint_config_name: Output::new(carried.to_owned()),
        ..news.clone()
    };
    match apply_update(ctx, id, olds, &carrying).await {
        Ok(mut updated) => {
            updated.workflow_base_config_name = Some(asked);
            workflow_carry::delete_config(ctx, &running).await;
            Ok(updated)
        }
        Err(ProviderError::PartialFailure {
            id: failed_id,
            outputs,
            inputs,
            reason,
        }) => {
            let outputs = match framework::decode::<EndpointOutputs>(&outputs) {
                Ok(mut recorded) if recorded.inputs.endpoint_config_name.as_str() == carried => {
                    // The switch happened; something after it failed.
                    recorded.workflow_base_config_name = Some(asked);
                    workflow_carry::delete_config(ctx, &running).await;
                    Box::new(encode_plain(&recorded)?)
                }
                _ => {
                    workflow_carry::delete_config(ctx, carried).await;
                    outputs
                }
            };
            Err(ProviderError::PartialFailure {
                id: failed_id,
                outputs,
                inputs,
                reason,
            })
        }
        Err(error) => {
            if describe(ctx, id)
                .await
                .ok()
                .flatten()
                .is_some_and(|found| found.endpoint_config_name() != Some(carried))
            {
                workflow_carry::delete_config(ctx, carried).await;
            }
            Err(error)
        }
    }
}

/// Deletes the configuration a Workflow deployed (`<prefix>-wf-<UUID>`)
/// and the models it made, once the endpoint that ran them is gone: no
/// program records them, so nothing else would.
async fn delete_workflow_deployment(ctx: &Context, config: &str) -> Result<()> {
    if !is_workflow_made(config) {
        return Ok(());
    }
    let Some(described) = ctx
        .clients
        .sagemaker
        .describe_endpoint_config()
        .endpoint_config_name(config)
        .send()
        .await
        .aws(Service::SageMaker, "DescribeEndpointConfig")
        .or_gone()?
    else {
        return Ok(());
    };
    ctx.clients
        .sagemaker
        .delete_endpoint_config()
        .endpoint_config_name(config)
        .send()
        .await
        .aws(Service::SageMaker, "DeleteEndpointConfig")
        .or_gone()?;
    for model in described
        .production_variants()
        .iter()
        .filter_map(|variant| variant.model_name())
        .filter(|model| is_workflow_made(model))
    {
        ctx.clients
            .sagemaker
            .delete_model()
            .model_name(model)
            .send()
            .await
            .aws(Service::SageMaker, "DeleteModel")
            .or_gone()?;
    }
    Ok(())
}

/// A refusal to read the rollout's rollback alarms, explained (see
/// `alarm_access`); any other error unchanged.
/// The ARN and creation time of endpoint `name`, if it exists.
async fn arn_and_creation_time(
    ctx: &Context,
    name: &str,
) -> std::result::Result<Option<(String, std::time::SystemTime)>, AwsError> {
    let found = ctx
        .clients
        .sagemaker
        .describe_endpoint()
        .endpoint_name(name)
        .send()
        .await
        .aws(Service::SageMaker, "DescribeEndpoint")
        .or_gone()?;
    Ok(found.map(|found| {
        (
            found.endpoint_arn().unwrap_or_default().to_owned(),
            system_time(found.creation_time()),
        )
    }))
}

fn explain_aws_refusal(error: ProviderError, inputs: &EndpointInputs) -> ProviderError {
    match error {
        ProviderError::Service(source) => match source.downcast::<crate::aws::AwsError>() {
            Ok(refusal) => {
                let alarms = inputs
                    .rollout
                    .as_ref()
                    .map(|rollout| rollout.rollback_alarm_names.clone())
                    .unwrap_or_default();
                alarm_access::explain_refusal(*refusal, &inputs.endpoint_name, &alarms)
            }
            Err(other) => ProviderError::Service(other),
        },
        other => other,
    }
}

/// Whether Application Auto Scaling scales one of the endpoint's variants.
async fn autoscaled(ctx: &Context, endpoint: &str, variants: &[String]) -> Result<bool> {
    if variants.is_empty() {
        return Ok(false);
    }
    let found = ctx
        .clients
        .autoscaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Sagemaker)
        .set_resource_ids(Some(
            variants
                .iter()
                .map(|variant| format!("endpoint/{endpoint}/variant/{variant}"))
                .collect(),
        ))
        .scalable_dimension(ScalableDimension::SageMakerVariantDesiredInstanceCount)
        .send()
        .await
        .aws(Service::ApplicationAutoScaling, "DescribeScalableTargets")?;
    Ok(!found.scalable_targets().is_empty())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::delete_endpoint::DeleteEndpointOutput;
    use aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointError;
    use aws_sdk_sagemaker::types::EndpointStatus;
    use aws_smithy_mocks::mock;

    use super::test_fixtures::{described_as, error, running, serving, weights_updated};
    use super::*;
    use crate::resources::mock::mock_context;
    use framework::Registry;

    /// The engine's diff of endpoint `fraud` recorded with `olds` against
    /// unchanged inputs.
    fn diff_unchanged(olds: &EndpointOutputs) -> framework::DiffOutcome {
        let registry = Registry::builder().resource(Endpoint).build();
        let erased = registry.resource(Endpoint::TOKEN).unwrap();
        let inputs = encode_plain(&olds.inputs).unwrap();
        erased.diff_with_state(&inputs, &encode_plain(olds).unwrap(), &inputs)
    }

    const WORKFLOW_CONFIG: &str = "fraud-dev-wf-123e4567-e89b-12d3-a456-426614174000";

    #[tokio::test]
    async fn refresh_records_a_workflow_deployment_and_diff_takes_it_for_the_programs() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| serving(WORKFLOW_CONFIG, &[("primary", 1.0, Some(2))]));
        let ctx = mock_context::<Endpoint>(&[&describe]).await;
        let recorded = running("config-v1");
        let ReadOutcome::Found {
            outputs, inputs, ..
        } = Endpoint.read(&ctx, "fraud", &recorded).await.unwrap()
        else {
            panic!("the endpoint exists");
        };
        // What runs is recorded, with the configuration it stands in for.
        assert_eq!(inputs.endpoint_config_name.as_str(), WORKFLOW_CONFIG);
        assert_eq!(
            outputs.workflow_base_config_name.as_deref(),
            Some("config-v1")
        );
        // The program still asks for config-v1: no change.
        let registry = Registry::builder().resource(Endpoint).build();
        let erased = registry.resource(Endpoint::TOKEN).unwrap();
        let asked = encode_plain(&recorded.inputs).unwrap();
        let diff = erased.diff_with_state(
            &encode_plain(&outputs.inputs).unwrap(),
            &encode_plain(&outputs).unwrap(),
            &asked,
        );
        assert!(diff.changes.is_empty(), "{:?}", diff.changes);
        // A new configuration of the program is a change.
        let mut changed = recorded.inputs.clone();
        changed.endpoint_config_name = "config-v2".into();
        let diff = erased.diff_with_state(
            &encode_plain(&outputs.inputs).unwrap(),
            &encode_plain(&outputs).unwrap(),
            &encode_plain(&changed).unwrap(),
        );
        let fields: Vec<&str> = diff.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["endpointConfigName"]);
    }

    #[tokio::test]
    async fn a_later_workflow_deployment_keeps_the_programs_configuration() {
        let describe = mock!(Client::describe_endpoint).then_output(|| {
            serving(
                "fraud-dev-wf-99999999-e89b-12d3-a456-426614174000",
                &[("primary", 1.0, Some(2))],
            )
        });
        let ctx = mock_context::<Endpoint>(&[&describe]).await;
        let mut recorded = running(WORKFLOW_CONFIG);
        recorded.workflow_base_config_name = Some("config-v1".into());
        let ReadOutcome::Found { outputs, .. } =
            Endpoint.read(&ctx, "fraud", &recorded).await.unwrap()
        else {
            panic!("the endpoint exists");
        };
        assert_eq!(
            outputs.workflow_base_config_name.as_deref(),
            Some("config-v1")
        );
    }

    #[tokio::test]
    async fn a_configuration_of_someone_else_is_drift_as_before() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| serving("hand-made-config", &[("primary", 1.0, Some(2))]));
        let ctx = mock_context::<Endpoint>(&[&describe]).await;
        let ReadOutcome::Found { outputs, .. } = Endpoint
            .read(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap()
        else {
            panic!("the endpoint exists");
        };
        assert_eq!(outputs.workflow_base_config_name, None);
        let registry = Registry::builder().resource(Endpoint).build();
        let erased = registry.resource(Endpoint::TOKEN).unwrap();
        let diff = erased.diff_with_state(
            &encode_plain(&outputs.inputs).unwrap(),
            &encode_plain(&outputs).unwrap(),
            &encode_plain(&running("config-v1").inputs).unwrap(),
        );
        assert_eq!(diff.changes.len(), 1);
    }

    #[tokio::test]
    async fn import_reads_the_configuration_weights_and_who_owns_the_counts() {
        use aws_sdk_applicationautoscaling::operation::describe_scalable_targets::DescribeScalableTargetsOutput;
        use aws_sdk_applicationautoscaling::types::ScalableTarget;
        use aws_sdk_sagemaker::operation::list_tags::ListTagsOutput;

        let describe = mock!(Client::describe_endpoint).then_output(|| {
            let mut found = serving(
                "config-v1",
                &[("primary", 1.0, Some(3)), ("shadow", 0.5, Some(1))],
            );
            found.endpoint_arn = Some("arn:aws:sagemaker:us-east-1:1:endpoint/fraud".into());
            found
        });
        let tags = mock!(Client::list_tags).then_output(|| ListTagsOutput::builder().build());
        let scaled = |targets: Vec<ScalableTarget>| {
            mock!(aws_sdk_applicationautoscaling::Client::describe_scalable_targets)
                .match_requests(|req| {
                    req.resource_ids()
                        == [
                            "endpoint/fraud/variant/primary",
                            "endpoint/fraud/variant/shadow",
                        ]
                })
                .then_output(move || {
                    DescribeScalableTargetsOutput::builder()
                        .set_scalable_targets(Some(targets.clone()))
                        .build()
                })
        };

        // No variant is a scalable target: the counts are the program's.
        let none = scaled(Vec::new());
        let ctx = mock_context::<Endpoint>(&[&describe, &tags, &none]).await;
        let ReadOutcome::Found { inputs, .. } = Endpoint.import(&ctx, "fraud").await.unwrap()
        else {
            panic!("the endpoint exists");
        };
        assert_eq!(inputs.endpoint_config_name.as_str(), "config-v1");
        assert_eq!(
            inputs.variant_weights,
            [("primary".to_owned(), 1.0), ("shadow".to_owned(), 0.5)].into()
        );
        assert_eq!(
            inputs.variant_instance_counts,
            [("primary".to_owned(), 3), ("shadow".to_owned(), 1)].into()
        );
        assert!(!inputs.autoscaling_managed && inputs.rollout.is_none());

        // A variant is: Application Auto Scaling owns the counts.
        let target = ScalableTarget::builder()
            .service_namespace(ServiceNamespace::Sagemaker)
            .resource_id("endpoint/fraud/variant/primary")
            .scalable_dimension(ScalableDimension::SageMakerVariantDesiredInstanceCount)
            .min_capacity(1)
            .max_capacity(4)
            .role_arn("arn:aws:iam::1:role/scaling")
            .creation_time(aws_smithy_types::DateTime::from_secs(0))
            .build()
            .unwrap();
        let one = scaled(vec![target]);
        let ctx = mock_context::<Endpoint>(&[&describe, &tags, &one]).await;
        let ReadOutcome::Found { inputs, .. } = Endpoint.import(&ctx, "fraud").await.unwrap()
        else {
            panic!("the endpoint exists");
        };
        assert!(inputs.autoscaling_managed);
        assert!(inputs.variant_instance_counts.is_empty());
    }

    #[test]
    fn an_endpoint_recorded_failed_is_replaced_deleting_it_first() {
        let mut olds = running("config-v1");
        assert!(!diff_unchanged(&olds).has_changes());
        olds.endpoint_status = "Failed".into();
        let outcome = diff_unchanged(&olds);
        assert!(outcome.replaces(), "{outcome:?}");
        assert!(outcome.delete_before_replace);
        assert_eq!(outcome.forced_by_state, ["endpointStatus"]);
    }

    #[tokio::test]
    async fn read_reports_a_failed_endpoint_as_a_partial_failure_recording_it() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described_as("config-v1", EndpointStatus::Failed, Some("bad image")));
        let ctx = mock_context::<Endpoint>(&[&describe]).await;
        let error = Endpoint
            .read(&ctx, "fraud", &running("config-v1"))
            .await
            .expect_err("a failed endpoint is not read as healthy");
        let ProviderError::PartialFailure {
            id,
            outputs,
            reason,
            ..
        } = error
        else {
            panic!("expected a partial failure, got {error:?}");
        };
        assert_eq!(id, "fraud");
        assert!(
            reason.contains("endpoint fraud is Failed (bad image)"),
            "{reason}"
        );
        let recorded: EndpointOutputs = framework::decode(&outputs).unwrap();
        assert_eq!(recorded.endpoint_status, "Failed");
        assert!(!Endpoint.replacement_forced_by(&recorded).is_empty());
    }

    #[tokio::test]
    async fn create_brings_the_weights_to_those_asked_when_the_configuration_differs() {
        use aws_sdk_sagemaker::operation::create_endpoint::CreateEndpointOutput;
        let create = mock!(Client::create_endpoint)
            .then_output(|| CreateEndpointOutput::builder().endpoint_arn("arn").build());
        // The configuration was made for weight 1 (its name ignores
        // capacity): the endpoint comes up with it.
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| serving("config-v1", &[("primary", 1.0, Some(2))]))
            .output(|| serving("config-v1", &[("primary", 2.0, Some(2))]))
            .repeatedly()
            .build();
        let weights = mock!(Client::update_endpoint_weights_and_capacities)
            .match_requests(|req| {
                req.desired_weights_and_capacities()[0].desired_weight() == Some(2.0)
            })
            .then_output(weights_updated);
        let ctx = mock_context::<Endpoint>(&[&create, &describe, &weights]).await;
        let mut inputs = running("config-v1").inputs;
        inputs.variant_weights.insert("primary".into(), 2.0);
        let created = Endpoint.create(&ctx, &inputs).await.unwrap();
        assert_eq!(created.outputs.inputs, inputs);
        assert_eq!(created.outputs.endpoint_status, "InService");
        assert_eq!(weights.num_calls(), 1);

        // Served as asked: no call.
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| serving("config-v1", &[("primary", 2.0, Some(5))]));
        let ctx = mock_context::<Endpoint>(&[&create, &describe, &weights]).await;
        let created = Endpoint.create(&ctx, &inputs).await.unwrap();
        // The autoscaler's count is not compared.
        assert_eq!(created.outputs.inputs, inputs);
        assert_eq!(weights.num_calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn create_waits_for_a_configuration_sagemaker_cannot_find_yet() {
        use aws_sdk_sagemaker::operation::create_endpoint::{
            CreateEndpointError, CreateEndpointOutput,
        };
        let not_found = || {
            CreateEndpointError::generic(error(
                "ValidationException",
                "Could not find endpoint configuration \"arn:aws:sagemaker:us-east-1:1:endpoint-config/config-v1\".",
            ))
        };
        let create = mock!(Client::create_endpoint)
            .sequence()
            .error(not_found)
            .times(2)
            .output(|| CreateEndpointOutput::builder().endpoint_arn("arn").build())
            .build();
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| serving("config-v1", &[("primary", 1.0, Some(2))]));
        let ctx = mock_context::<Endpoint>(&[&create, &describe]).await;
        let inputs = running("config-v1").inputs;
        let created = Endpoint.create(&ctx, &inputs).await.unwrap();
        assert_eq!(created.outputs.endpoint_status, "InService");
        assert_eq!(create.num_calls(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn create_does_not_retry_other_refusals() {
        use aws_sdk_sagemaker::operation::create_endpoint::CreateEndpointError;
        let create = mock!(Client::create_endpoint).then_error(|| {
            CreateEndpointError::generic(error(
                "ValidationException",
                "Cannot create already existing endpoint \"arn:aws:sagemaker:us-east-1:1:endpoint/fraud\".",
            ))
        });
        let ctx = mock_context::<Endpoint>(&[&create]).await;
        let failure = Endpoint
            .create(&ctx, &running("config-v1").inputs)
            .await
            .unwrap_err();
        assert!(
            failure.to_string().contains("already existing endpoint"),
            "{failure}"
        );
        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn read_reports_what_the_endpoint_serves() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| serving("config-v2", &[("primary", 0.5, Some(3))]));
        let ctx = mock_context::<Endpoint>(&[&describe]).await;
        let ReadOutcome::Found {
            inputs, outputs, ..
        } = Endpoint
            .read(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap()
        else {
            panic!("the endpoint exists");
        };
        assert_eq!(inputs.endpoint_config_name, "config-v2");
        assert_eq!(inputs.variant_weights["primary"], 0.5);
        assert_eq!(inputs.variant_instance_counts["primary"], 3);
        assert_eq!(outputs.endpoint_status, "InService");
        assert!(Endpoint.replacement_forced_by(&outputs).is_empty());
    }

    #[test]
    fn autoscaled_counts_are_ignored_by_diff() {
        let autoscaled = framework::encode_plain(&running("c").inputs).unwrap();
        assert_eq!(
            Endpoint.ignored_in_diff(&autoscaled),
            vec!["variantInstanceCounts"]
        );
        let manual = EndpointInputs {
            autoscaling_managed: false,
            ..running("c").inputs
        };
        let manual = framework::encode_plain(&manual).unwrap();
        assert!(Endpoint.ignored_in_diff(&manual).is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_during_the_pre_delete_wait_is_not_swallowed() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described_as("config-v1", EndpointStatus::Updating, None));
        let delete =
            mock!(Client::delete_endpoint).then_output(|| DeleteEndpointOutput::builder().build());
        let ctx = mock_context::<Endpoint>(&[&describe, &delete]).await;
        let cancel = ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            cancel.cancel();
        });
        let error = Endpoint
            .delete(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::Cancelled), "{error:?}");
        assert_eq!(delete.num_calls(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_of_the_pre_delete_wait_is_not_swallowed() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described_as("config-v1", EndpointStatus::Updating, None));
        let delete =
            mock!(Client::delete_endpoint).then_output(|| DeleteEndpointOutput::builder().build());
        let mut ctx = mock_context::<Endpoint>(&[&describe, &delete]).await;
        ctx.timeout = Some(Duration::from_secs(60));
        let error = Endpoint
            .delete(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Timeout { seconds: 60, .. }),
            "{error:?}"
        );
        assert_eq!(delete.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_failed_endpoint_is_deleted() {
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described_as("config-v1", EndpointStatus::Failed, Some("bad image")))
            .error(|| {
                DescribeEndpointError::generic(error(
                    "ValidationException",
                    "Could not find endpoint \"fraud\".",
                ))
            })
            .repeatedly()
            .build();
        let delete =
            mock!(Client::delete_endpoint).then_output(|| DeleteEndpointOutput::builder().build());
        let ctx = mock_context::<Endpoint>(&[&describe, &delete]).await;
        Endpoint
            .delete(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap();
        assert_eq!(delete.num_calls(), 1);
    }

    #[tokio::test]
    async fn deleting_an_endpoint_that_is_gone_succeeds() {
        let describe = mock!(Client::describe_endpoint).then_error(|| {
            DescribeEndpointError::generic(error(
                "ValidationException",
                "Could not find endpoint \"fraud\".",
            ))
        });
        let delete =
            mock!(Client::delete_endpoint).then_output(|| DeleteEndpointOutput::builder().build());
        let ctx = mock_context::<Endpoint>(&[&describe, &delete]).await;
        Endpoint
            .delete(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap();
        assert_eq!(delete.num_calls(), 0);
    }
}
