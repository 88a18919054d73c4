//! A plan's variants as the endpoint configuration and the endpoint take
//! them: production variants, initial capacity, weights, instance counts
//! and instance types.

use std::collections::BTreeMap;

use super::EndpointPlan;
use crate::resources::sagemaker::endpoint_config::{VariantCapacity, VariantSpec};
use crate::resources::sagemaker::variant_rules::EndpointKind;

/// True when the plan's variants run on instances (not serverless).
fn on_instances(plan: &EndpointPlan<'_>) -> bool {
    plan.kind != EndpointKind::Serverless
}

/// A production variant per model: its SageMaker model (by list position),
/// and its instance type or serverless compute (the model's own settings,
/// else the environment's).
pub(super) fn production_variants(plan: &EndpointPlan<'_>) -> Vec<VariantSpec> {
    let on_instances = on_instances(plan);
    plan.models
        .iter()
        .enumerate()
        .map(|(i, model)| VariantSpec {
            variant_name: model.variant_name.clone(),
            model_name: plan.model_names.element(i),
            instance_type: on_instances.then(|| model.instance_type.clone()),
            serverless: if on_instances {
                None
            } else {
                model
                    .serverless_config
                    .as_ref()
                    .or(plan.serverless)
                    .map(|settings| settings.compute())
            },
            container_startup_health_check_timeout_in_seconds: None,
        })
        .collect()
}

/// Each variant's initial weight and, on instances, instance count.
pub(super) fn initial_capacity(plan: &EndpointPlan<'_>) -> BTreeMap<String, VariantCapacity> {
    let on_instances = on_instances(plan);
    plan.models
        .iter()
        .map(|model| {
            (
                model.variant_name.clone(),
                VariantCapacity {
                    weight: model.variant_weight,
                    instance_count: on_instances.then_some(model.instance_count),
                },
            )
        })
        .collect()
}

/// Each variant's traffic weight.
pub(super) fn weights(plan: &EndpointPlan<'_>) -> BTreeMap<String, f64> {
    plan.models
        .iter()
        .map(|model| (model.variant_name.clone(), model.variant_weight))
        .collect()
}

/// Each variant's instance count; none for serverless variants.
pub(super) fn instance_counts(plan: &EndpointPlan<'_>) -> BTreeMap<String, u32> {
    if !on_instances(plan) {
        return BTreeMap::new();
    }
    plan.models
        .iter()
        .map(|model| (model.variant_name.clone(), model.instance_count))
        .collect()
}

/// Each variant's instance type; none for serverless variants.
pub(super) fn instance_types(plan: &EndpointPlan<'_>) -> BTreeMap<String, String> {
    if !on_instances(plan) {
        return BTreeMap::new();
    }
    plan.models
        .iter()
        .map(|model| (model.variant_name.clone(), model.instance_type.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::model_config::ServerlessSettings;
    use crate::components::model_config::tests::model;
    use crate::resources::Tags;
    use framework::Output;

    fn plan<'a>(
        kind: EndpointKind,
        models: &'a [crate::components::model_config::ModelSpec],
        serverless: Option<&'a ServerlessSettings>,
        tags: &'a Tags,
    ) -> EndpointPlan<'a> {
        EndpointPlan {
            component: "c",
            endpoint_name: "e",
            kind,
            models,
            serverless,
            model_names: Output::new(vec!["a-model".into(), "b-model".into()]),
            tags,
        }
    }

    #[test]
    fn instance_variants_carry_type_and_count_and_serverless_ones_neither() {
        let tags = Tags::new();
        let mut own = model("a");
        own.serverless_config = Some(ServerlessSettings {
            memory_size: 2048,
            max_concurrency: 5,
            provisioned_concurrency: None,
        });
        let models = [own, model("b")];
        let environment = ServerlessSettings {
            memory_size: 4096,
            max_concurrency: 10,
            provisioned_concurrency: Some(1),
        };

        let on_instances = plan(EndpointKind::Async, &models, None, &tags);
        let variants = production_variants(&on_instances);
        assert_eq!(variants[1].model_name, "b-model");
        assert_eq!(variants[1].instance_type.as_deref(), Some("ml.m5.large"));
        assert!(variants.iter().all(|v| v.serverless.is_none()));
        assert_eq!(initial_capacity(&on_instances)["a"].instance_count, Some(1));
        assert_eq!(instance_counts(&on_instances)["b"], 1);

        let serverless = plan(EndpointKind::Serverless, &models, Some(&environment), &tags);
        let variants = production_variants(&serverless);
        assert!(variants.iter().all(|v| v.instance_type.is_none()));
        let memory: Vec<u32> = variants
            .iter()
            .map(|v| v.serverless.as_ref().unwrap().memory_size_in_mb)
            .collect();
        assert_eq!(
            memory,
            [2048, 4096],
            "own settings first, else the environment's"
        );
        assert_eq!(initial_capacity(&serverless)["b"].instance_count, None);
        assert!(instance_counts(&serverless).is_empty());
        assert_eq!(weights(&serverless)["a"], 1.0);
    }
}
