//! One builder for the three endpoint components: from an [`EndpointPlan`]
//! it registers the endpoint configuration, the rollback alarms a rollout
//! needs (and the execution role's grant to read them), the endpoint and,
//! when autoscaled, a scalable target and a scaling policy per variant. A component adds what only it has (data
//! capture, asynchronous inference, more policies) around it.

mod rollback;
mod scaling;
mod variants;

use schemars::JsonSchema;
use serde::Serialize;

use super::model_config::{ModelSpec, ServerlessSettings};
use crate::Scope;
use crate::resources::Tags;
use crate::resources::autoscaling::{ScalableTarget, ScalingPolicy};
use crate::resources::sagemaker::endpoint::{Endpoint, EndpointInputs, RolloutPolicy};
use crate::resources::sagemaker::endpoint_config::{
    AsyncInference, DataCapture, EndpointConfig, EndpointConfigInputs,
};
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::{Child, ChildOptions, Output, Result};

pub use scaling::{PolicyRule, VariantAutoscaling};

/// What an endpoint component asks for: the endpoint, its variants and the
/// SageMaker models they serve.
pub struct EndpointPlan<'a> {
    /// The component's name, prefix of the children's names.
    pub component: &'a str,
    /// The SageMaker endpoint name.
    pub endpoint_name: &'a str,
    /// Real-time, asynchronous or serverless.
    pub kind: EndpointKind,
    /// The variants, one per model (the seed's `modelList`).
    pub models: &'a [ModelSpec],
    /// The environment's serverless settings, for variants without their own.
    pub serverless: Option<&'a ServerlessSettings>,
    /// SageMaker model names in list order: unknown while previewing a new
    /// model.
    pub model_names: Output<Vec<String>>,
    /// Tags on every child.
    pub tags: &'a Tags,
}

/// What only some endpoint kinds put in their configuration.
#[derive(Default)]
struct ConfigExtras {
    kms_key_arn: Option<Output<String>>,
    data_capture: Option<DataCapture>,
    async_inference: Option<AsyncInference>,
}

impl ConfigExtras {
    /// The configuration of `plan` with these extras.
    fn config_inputs(self, plan: &EndpointPlan<'_>) -> EndpointConfigInputs {
        EndpointConfigInputs {
            name_prefix: format!("{}-config", plan.endpoint_name),
            production_variants: variants::production_variants(plan),
            initial_capacity: variants::initial_capacity(plan),
            kms_key_arn: self.kms_key_arn,
            data_capture: self.data_capture,
            async_inference: self.async_inference,
            tags: plan.tags.clone(),
            endpoint_config_name: None,
        }
    }
}

/// The endpoint configuration `plan` registers with these settings, not
/// registered: the builder registers exactly this, so its derived name is
/// the name the configuration gets.
pub fn planned_configuration(
    plan: &EndpointPlan<'_>,
    kms_key_arn: Option<Output<String>>,
    data_capture: Option<DataCapture>,
    async_inference: Option<AsyncInference>,
) -> EndpointConfigInputs {
    ConfigExtras {
        kms_key_arn,
        data_capture,
        async_inference,
    }
    .config_inputs(plan)
}

/// Registers an endpoint component's children; see the module docs.
pub struct EndpointBuilder<'a> {
    scope: &'a Scope,
    plan: EndpointPlan<'a>,
    extras: ConfigExtras,
    rollout: Option<RolloutPolicy>,
    autoscaling: Option<VariantAutoscaling>,
    /// The models' execution role, by name, when the component knows it.
    execution_role_name: Option<Output<String>>,
    /// URNs of resources the endpoint must be created after.
    after: Vec<String>,
}

impl<'a> EndpointBuilder<'a> {
    /// A builder of `plan`'s children in `scope`: configuration and
    /// endpoint only, until told more.
    pub fn new(scope: &'a Scope, plan: EndpointPlan<'a>) -> Self {
        EndpointBuilder {
            scope,
            plan,
            extras: ConfigExtras::default(),
            rollout: None,
            autoscaling: None,
            execution_role_name: None,
            after: Vec::new(),
        }
    }

    /// The models' execution role (its name): SageMaker reads a rollout's
    /// rollback alarms with it, so it is granted `cloudwatch:DescribeAlarms`
    /// on exactly those alarms before the endpoint is created.
    pub fn execution_role(mut self, role_name: Option<Output<String>>) -> Self {
        self.execution_role_name = role_name;
        self
    }

    /// Creates the endpoint only once these resources exist (e.g. a grant
    /// SageMaker checks while it creates the endpoint).
    pub fn after(mut self, urns: impl IntoIterator<Item = String>) -> Self {
        self.after.extend(urns);
        self
    }

    /// Encrypts the instances' storage with this key.
    pub fn kms_key(mut self, key_arn: Option<Output<String>>) -> Self {
        self.extras.kms_key_arn = key_arn;
        self
    }

    /// Captures requests and responses.
    pub fn data_capture(mut self, capture: Option<DataCapture>) -> Self {
        self.extras.data_capture = capture;
        self
    }

    /// Makes the endpoint asynchronous.
    pub fn async_inference(mut self, settings: AsyncInference) -> Self {
        self.extras.async_inference = Some(settings);
        self
    }

    /// Rolls configuration changes out blue/green; without alarm names of
    /// its own, the rollout watches an `Invocation5XXErrors` alarm per
    /// variant, registered before the endpoint.
    pub fn rollout(mut self, rollout: Option<RolloutPolicy>) -> Self {
        self.rollout = rollout;
        self
    }

    /// Scales each variant's instance count; the endpoint then leaves the
    /// counts to the autoscaler.
    pub fn autoscaling(mut self, autoscaling: Option<VariantAutoscaling>) -> Self {
        self.autoscaling = autoscaling;
        self
    }

    /// Registers the grant to read the rollback alarms, the configuration,
    /// the rollback alarms, the endpoint, and the scalable targets and their
    /// policies.
    pub async fn build(self) -> Result<BuiltEndpoint<'a>> {
        let EndpointBuilder {
            scope,
            plan,
            extras,
            rollout,
            autoscaling,
            execution_role_name,
            mut after,
        } = self;
        // First, so that IAM has the longest time to make it visible before
        // SageMaker looks.
        if let (Some(role), Some(rollout)) = (&execution_role_name, &rollout) {
            let grant = rollback::grant_describe_alarms(scope, &plan, role, rollout).await?;
            after.push(grant.urn.clone());
        }
        let config = scope
            .resource::<EndpointConfig>(
                &format!("{}-config", plan.component),
                &extras.config_inputs(&plan),
                ChildOptions::default(),
            )
            .await?;
        let (rollout, alarms) = rollback::with_default_alarms(scope, &plan, rollout).await?;
        let inputs = EndpointInputs {
            endpoint_name: plan.endpoint_name.to_owned(),
            endpoint_config_name: config.output("endpointConfigName"),
            variant_weights: variants::weights(&plan),
            variant_instance_counts: variants::instance_counts(&plan),
            variant_instance_types: variants::instance_types(&plan),
            autoscaling_managed: autoscaling.is_some(),
            rollout,
            tags: plan.tags.clone(),
        };
        let endpoint = scope
            .resource::<Endpoint>(
                &format!("{}-endpoint", plan.component),
                &inputs,
                ChildOptions {
                    depends_on: alarms
                        .iter()
                        .map(|alarm| alarm.urn.clone())
                        .chain(after)
                        .collect(),
                    ..Default::default()
                },
            )
            .await?;
        let mut built = BuiltEndpoint {
            scope,
            plan,
            config,
            endpoint,
            targets: Vec::new(),
        };
        if let Some(autoscaling) = autoscaling {
            built.targets = scaling::register_targets(
                scope,
                &built.plan,
                &built.endpoint,
                autoscaling.min_capacity,
                autoscaling.max_capacity,
            )
            .await?;
            built
                .add_variant_policies(
                    autoscaling.policy_suffix,
                    PolicyRule::TargetTracking(autoscaling.tracking),
                )
                .await?;
        }
        Ok(built)
    }
}

/// The children an [`EndpointBuilder`] registered.
pub struct BuiltEndpoint<'a> {
    scope: &'a Scope,
    plan: EndpointPlan<'a>,
    /// The endpoint configuration.
    pub config: Child<EndpointConfig>,
    /// The endpoint.
    pub endpoint: Child<Endpoint>,
    /// Each variant's scalable target, in model-list order; empty without
    /// autoscaling.
    pub targets: Vec<Child<ScalableTarget>>,
}

impl BuiltEndpoint<'_> {
    /// Registers one more scaling policy per variant on its scalable
    /// target, named `<endpoint>-<variant>-<suffix>`.
    pub async fn add_variant_policies(
        &self,
        suffix: &str,
        rule: PolicyRule,
    ) -> Result<Vec<Child<ScalingPolicy>>> {
        scaling::register_policies(self.scope, &self.plan, &self.targets, suffix, &rule).await
    }

    /// The outputs every endpoint component has.
    pub fn outputs(&self) -> EndpointComponentOutputs {
        EndpointComponentOutputs {
            endpoint_name: self.endpoint.output("endpointName"),
            endpoint_arn: self.endpoint.output("arn"),
            endpoint_config_name: self.config.output("endpointConfigName"),
        }
    }
}

/// What an endpoint component made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointComponentOutputs {
    /// The endpoint name.
    pub endpoint_name: Output<String>,
    /// The endpoint ARN.
    pub endpoint_arn: Output<String>,
    /// The configuration the endpoint runs.
    pub endpoint_config_name: Output<String>,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::components::endpoint_checks::check_endpoint;
    use crate::components::model_config::tests::model;
    use framework::{CustomResource, Failures};

    /// The rules broken, without the paths (which differ by input).
    fn reasons(failures: Failures) -> BTreeSet<String> {
        failures.into_vec().into_iter().map(|f| f.reason).collect()
    }

    #[test]
    fn the_components_preview_and_the_configuration_they_register_break_the_same_rules() {
        let mut bad_type = model("a");
        bad_type.instance_type = "m5.large".into();
        let mut negative = model("b");
        negative.variant_weight = -1.0;
        let eleven: Vec<ModelSpec> = (0..11).map(|i| model(&format!("v{i}"))).collect();
        let small_memory = ServerlessSettings {
            memory_size: 1500,
            max_concurrency: 5,
            provisioned_concurrency: None,
        };
        let cases: [(EndpointKind, Vec<ModelSpec>, Option<&ServerlessSettings>); 4] = [
            (EndpointKind::RealTime, vec![bad_type, negative], None),
            (EndpointKind::RealTime, vec![model("a"), model("a")], None),
            (EndpointKind::RealTime, eleven, None),
            (
                EndpointKind::Serverless,
                vec![model("a"), model("b")],
                Some(&small_memory),
            ),
        ];
        let tags = Tags::new();
        for (kind, models, serverless) in cases {
            let mut preview = Failures::new();
            check_endpoint(kind, "endpoint", &models, serverless, &mut preview);
            let plan = EndpointPlan {
                component: "c",
                endpoint_name: "endpoint",
                kind,
                models: &models,
                serverless,
                model_names: Output::new(models.iter().map(|m| m.model_name.clone()).collect()),
                tags: &tags,
            };
            let config = ConfigExtras::default().config_inputs(&plan);
            let preview = reasons(preview);
            assert!(!preview.is_empty(), "{kind:?}");
            assert_eq!(preview, reasons(EndpointConfig.check(&config)), "{kind:?}");
        }
    }
}
