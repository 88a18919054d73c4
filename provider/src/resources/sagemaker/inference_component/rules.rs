//! Preview rules of an inference component: its name, copies and compute
//! requirements, and whether they fit the endpoint's instance type.

use super::{ComputeRequirements, InferenceComponentInputs, RollingUpdate};
use crate::naming::sagemaker_name_problem;
use crate::resources::sagemaker::instance_specs::instance_spec;
use framework::Failures;

/// Batch-size units of a rolling update (API Reference,
/// InferenceComponentCapacitySize, Type).
pub const BATCH_SIZE_TYPES: [&str; 2] = ["COPY_COUNT", "CAPACITY_PERCENT"];

/// Checks a component's inputs; `at` makes the path of a field.
pub fn check_component(
    inputs: &InferenceComponentInputs,
    at: &dyn Fn(&str) -> String,
    failures: &mut Failures,
) {
    if let Some(problem) = sagemaker_name_problem(&inputs.inference_component_name) {
        failures.push(at("inferenceComponentName"), problem);
    }
    if let Some(problem) = sagemaker_name_problem(&inputs.variant_name) {
        failures.push(at("variantName"), problem);
    }
    failures.require(
        inputs.copy_count >= 1,
        at("copyCount"),
        "must be at least 1: SageMaker does not create an inference component with 0 copies \
         (autoscaling with a minimum of 0 takes it to zero afterwards)",
    );
    check_compute(
        &inputs.compute,
        inputs.instance_type.as_deref(),
        at,
        failures,
    );
    if let Some(update) = &inputs.rolling_update {
        check_rolling_update(update, at, failures);
        check_batch_share(update, inputs.copy_count, at, failures);
    }
}

/// Checks compute requirements, and that one copy fits an instance of
/// `instance_type` when the instance table knows it.
pub fn check_compute(
    compute: &ComputeRequirements,
    instance_type: Option<&str>,
    at: &dyn Fn(&str) -> String,
    failures: &mut Failures,
) {
    failures.require(
        compute.min_memory_required_in_mb >= 128,
        at("compute.minMemoryRequiredInMb"),
        format!(
            "must be at least 128 MB, got {}",
            compute.min_memory_required_in_mb
        ),
    );
    if let Some(max) = compute.max_memory_required_in_mb {
        failures.require(
            max >= compute.min_memory_required_in_mb,
            at("compute.maxMemoryRequiredInMb"),
            format!(
                "must not be below minMemoryRequiredInMb ({}), got {max}",
                compute.min_memory_required_in_mb
            ),
        );
    }
    if let Some(cores) = compute.number_of_cpu_cores_required {
        failures.require(
            cores >= 0.25,
            at("compute.numberOfCpuCoresRequired"),
            format!("must be at least 0.25, got {cores}"),
        );
    }
    if let Some(devices) = compute.number_of_accelerator_devices_required {
        failures.require(
            devices >= 1.0 && devices.fract() == 0.0,
            at("compute.numberOfAcceleratorDevicesRequired"),
            format!("must be a whole number of at least 1, got {devices}"),
        );
    }
    let Some(spec) = instance_type.and_then(instance_spec) else {
        return;
    };
    let memory = u64::from(compute.min_memory_required_in_mb);
    failures.require(
        memory <= spec.memory_mib(),
        at("compute.minMemoryRequiredInMb"),
        format!(
            "{memory} MB does not fit one {} instance ({} MiB of memory)",
            spec.instance_type,
            spec.memory_mib()
        ),
    );
    if let Some(cores) = compute.number_of_cpu_cores_required {
        failures.require(
            cores <= f64::from(spec.vcpus),
            at("compute.numberOfCpuCoresRequired"),
            format!(
                "{cores} cores do not fit one {} instance ({} vCPUs)",
                spec.instance_type, spec.vcpus
            ),
        );
    }
    if let Some(devices) = compute.number_of_accelerator_devices_required {
        failures.require(
            devices <= f64::from(spec.accelerators),
            at("compute.numberOfAcceleratorDevicesRequired"),
            format!(
                "{devices} accelerator devices do not fit one {} instance ({} accelerators)",
                spec.instance_type, spec.accelerators
            ),
        );
    }
}

/// How many copies of `compute` one instance of `instance_type` holds, when
/// the table knows the type.
pub fn copies_per_instance(compute: &ComputeRequirements, instance_type: &str) -> Option<u64> {
    let spec = instance_spec(instance_type)?;
    let mut fit = spec.memory_mib() / u64::from(compute.min_memory_required_in_mb.max(1));
    if let Some(cores) = compute.number_of_cpu_cores_required.filter(|c| *c > 0.0) {
        fit = fit.min((f64::from(spec.vcpus) / cores).floor() as u64);
    }
    if let Some(devices) = compute
        .number_of_accelerator_devices_required
        .filter(|d| *d > 0.0)
    {
        fit = fit.min((f64::from(spec.accelerators) / devices).floor() as u64);
    }
    Some(fit)
}

/// A rolling batch is 5% to 50% of the component's copies (API Reference,
/// InferenceComponentRollingUpdatePolicy, MaximumBatchSize: "between 5% to
/// 50% of the copy count of the inference component"): one copy cannot be
/// rolled, two can, one at a time.
fn check_batch_share(
    update: &RollingUpdate,
    copies: u32,
    at: &dyn Fn(&str) -> String,
    failures: &mut Failures,
) {
    let size = &update.maximum_batch_size;
    let percent = match size.r#type.as_str() {
        "COPY_COUNT" => f64::from(size.value) * 100.0 / f64::from(copies.max(1)),
        _ => f64::from(size.value),
    };
    failures.require(
        (5.0..=50.0).contains(&percent),
        at("rollingUpdate.maximumBatchSize.value"),
        format!(
            "must be 5% to 50% of the component's copies ({copies}), got {percent:.0}%: a rolling \
             update needs at least 2 copies"
        ),
    );
}

fn check_rolling_update(
    update: &RollingUpdate,
    at: &dyn Fn(&str) -> String,
    failures: &mut Failures,
) {
    for (field, size) in [
        (
            "rollingUpdate.maximumBatchSize",
            Some(&update.maximum_batch_size),
        ),
        (
            "rollingUpdate.rollbackMaximumBatchSize",
            update.rollback_maximum_batch_size.as_ref(),
        ),
    ] {
        let Some(size) = size else { continue };
        failures.require(
            BATCH_SIZE_TYPES.contains(&size.r#type.as_str()),
            at(&format!("{field}.type")),
            format!(
                "`{}` is not one of {}",
                size.r#type,
                BATCH_SIZE_TYPES.join(", ")
            ),
        );
        let most = if size.r#type == "CAPACITY_PERCENT" {
            100
        } else {
            u32::MAX
        };
        failures.require(
            (1..=most).contains(&size.value),
            at(&format!("{field}.value")),
            format!("must be between 1 and {most}, got {}", size.value),
        );
    }
    failures.require(
        (0..=3600).contains(&update.wait_interval_in_seconds),
        at("rollingUpdate.waitIntervalInSeconds"),
        format!(
            "must be between 0 and 3600, got {}",
            update.wait_interval_in_seconds
        ),
    );
    if let Some(timeout) = update.maximum_execution_timeout_in_seconds {
        failures.require(
            (600..=28_800).contains(&timeout),
            at("rollingUpdate.maximumExecutionTimeoutInSeconds"),
            format!("must be between 600 and 28800, got {timeout}"),
        );
    }
}
