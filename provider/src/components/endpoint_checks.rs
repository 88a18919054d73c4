//! Preview checks the endpoint components share: the endpoint name and
//! autoscaling bounds.

use super::model_config::ModelSpec;
use crate::naming::sagemaker_name_problem;
use framework::Failures;

/// Checks an endpoint name.
pub fn check_endpoint_name(name: &str, failures: &mut Failures) {
    if let Some(problem) = sagemaker_name_problem(name) {
        failures.push("endpointName", problem);
    }
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
