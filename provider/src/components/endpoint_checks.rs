//! Preview checks the endpoint components share: the endpoint name, the
//! model list as variants, and autoscaling bounds.

use super::model_config::{ModelSpec, ServerlessSettings, variant_list};
use crate::naming::sagemaker_name_problem;
use crate::resources::sagemaker::variant_rules::{EndpointKind, check_variants};
use framework::Failures;

/// Checks the endpoint name, and the model list against SageMaker's variant
/// rules for a `kind` endpoint (`serverless`: the environment's serverless
/// settings).
pub fn check_endpoint(
    kind: EndpointKind,
    endpoint_name: &str,
    models: &[ModelSpec],
    serverless: Option<&ServerlessSettings>,
    failures: &mut Failures,
) {
    if let Some(problem) = sagemaker_name_problem(endpoint_name) {
        failures.push("endpointName", problem);
    }
    check_variants(&variant_list(kind, models, serverless), failures);
}

/// Checks autoscaling bounds (`min_floor` is 0 for async endpoints) and that
/// every variant starts with an instance count inside them.
pub fn check_autoscaling(
    min: u32,
    max: u32,
    min_floor: u32,
    models: &[ModelSpec],
    failures: &mut Failures,
) {
    for (i, model) in models.iter().enumerate() {
        if min <= max && !(min..=max).contains(&model.instance_count) {
            failures.push(
                format!("modelList[{i}].InstanceCount"),
                format!(
                    "{} is outside the autoscaling range {min}..={max}",
                    model.instance_count
                ),
            );
        }
    }
    failures.require(
        min >= min_floor,
        "autoscaling.minCapacity",
        format!("must be at least {min_floor}"),
    );
    failures.require(max >= 1, "autoscaling.maxCapacity", "must be at least 1");
    failures.require(
        min <= max,
        "autoscaling.minCapacity",
        format!("must not exceed maxCapacity ({max}), got {min}"),
    );
}
