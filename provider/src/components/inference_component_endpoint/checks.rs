//! Preview checks of SageMakerInferenceComponentEndpoint: the endpoint's
//! settings, each model's component, and that the components' copies fit
//! the endpoint's most instances.

use super::{SageMakerInferenceComponentEndpointArgs, component_name};
use crate::components::model_config::check_models;
use crate::naming::sagemaker_name_problem;
use crate::resources::sagemaker::ic_endpoint_config::check_variant_settings;
use crate::resources::sagemaker::inference_component::rules::check_component;
use crate::resources::sagemaker::instance_specs::instance_spec;
use framework::Failures;

/// The seed's name of a component field: `compute.minMemoryRequiredInMb`
/// is `ComputeRequirements.MinMemoryRequiredInMb`.
fn seed_field(field: &str) -> String {
    field
        .split('.')
        .map(|part| match part {
            "compute" => "ComputeRequirements".to_owned(),
            part => {
                let mut chars = part.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The argument name of an endpoint-configuration field.
fn config_field(field: &str) -> String {
    match field {
        "managedInstanceScaling.minInstanceCount" => "minInstanceCount".to_owned(),
        "managedInstanceScaling.maxInstanceCount" => "maxInstanceCount".to_owned(),
        field => field.to_owned(),
    }
}

/// Checks every argument; see the module docs.
pub fn check_args(args: &SageMakerInferenceComponentEndpointArgs, failures: &mut Failures) {
    if let Some(problem) = sagemaker_name_problem(&args.endpoint_name) {
        failures.push("endpointName", problem);
    }
    check_models(&args.model_list, failures);
    check_variant_settings(&args.config_inputs(), config_field, failures);
    let instance_type = args.instance_type();
    for (i, model) in args.model_list.iter().enumerate() {
        let Some(inputs) = args.component_inputs(i, Output::unknown(), Output::unknown()) else {
            failures.push(
                format!("modelList[{i}].InferenceComponent"),
                "is required for an inference-component endpoint: at least its \
                 ComputeRequirements.MinMemoryRequiredInMb",
            );
            continue;
        };
        if sagemaker_name_problem(&inputs.inference_component_name).is_some() {
            failures.push(
                format!("modelList[{i}].VariantName"),
                format!(
                    "makes the inference component name `{}`, which must follow SageMaker's \
                     naming rules (at most 63 characters, letters, digits and hyphens)",
                    inputs.inference_component_name
                ),
            );
        }
        let at = |field: &str| match field {
            "inferenceComponentName" | "variantName" => format!("modelList[{i}].VariantName"),
            field => format!("modelList[{i}].InferenceComponent.{}", seed_field(field)),
        };
        let mut own = Failures::new();
        check_component(&inputs, &at, &mut own);
        for failure in own.into_vec() {
            if !failure.property.ends_with("VariantName") {
                failures.push(failure.property, failure.reason);
            }
        }
        if let Some(scaling) = model
            .inference_component
            .as_ref()
            .and_then(|s| s.scaling.as_ref())
        {
            let path = |field: &str| format!("modelList[{i}].InferenceComponent.Scaling.{field}");
            failures.require(
                scaling.max_copies >= 1,
                path("MaxCopies"),
                "must be at least 1",
            );
            failures.require(
                scaling.min_copies <= scaling.max_copies,
                path("MinCopies"),
                format!(
                    "must not exceed MaxCopies ({}), got {}",
                    scaling.max_copies, scaling.min_copies
                ),
            );
            failures.require(
                scaling.target_concurrent_requests_per_copy > 0.0,
                path("TargetConcurrentRequestsPerCopy"),
                "must be greater than 0",
            );
        }
        let _ = component_name;
    }
    check_fleet(args, &instance_type, failures);
}

/// The components' most copies times their requirements must fit
/// `maxInstanceCount` instances of the type, resource by resource.
fn check_fleet(
    args: &SageMakerInferenceComponentEndpointArgs,
    instance_type: &str,
    failures: &mut Failures,
) {
    let Some(spec) = instance_spec(instance_type) else {
        return;
    };
    let instances = f64::from(args.max_instance_count);
    let (mut memory, mut cores, mut accelerators) = (0.0, 0.0, 0.0);
    for settings in args
        .model_list
        .iter()
        .filter_map(|m| m.inference_component.as_ref())
    {
        let copies = f64::from(settings.most_copies());
        let compute = &settings.compute_requirements;
        memory += copies * f64::from(compute.min_memory_required_in_mb);
        cores += copies * compute.number_of_cpu_cores_required.unwrap_or(0.0);
        accelerators += copies
            * compute
                .number_of_accelerator_devices_required
                .unwrap_or(0.0);
    }
    let offered = [
        ("MB of memory", memory, instances * spec.memory_mib() as f64),
        ("CPU cores", cores, instances * f64::from(spec.vcpus)),
        (
            "accelerator devices",
            accelerators,
            instances * f64::from(spec.accelerators),
        ),
    ];
    for (what, needed, available) in offered {
        failures.require(
            needed <= available,
            "maxInstanceCount",
            format!(
                "{} {instance_type} instances offer {available} {what}, but the components' most \
                 copies (Scaling.MaxCopies, else CopyCount) need {needed}: raise \
                 maxInstanceCount or lower the copies or their ComputeRequirements",
                args.max_instance_count
            ),
        );
    }
}

use framework::Output;

#[cfg(test)]
mod tests {
    use super::super::settings::{ComputeSettings, CopyScaling, InferenceComponentSettings};
    use super::*;
    use crate::components::model_config::tests::model;

    fn args() -> SageMakerInferenceComponentEndpointArgs {
        let with = |name: &str, memory: u32, gpus: f64| {
            let mut spec = model(name);
            spec.inference_component = Some(InferenceComponentSettings {
                compute_requirements: ComputeSettings {
                    number_of_cpu_cores_required: Some(4.0),
                    min_memory_required_in_mb: memory,
                    max_memory_required_in_mb: None,
                    number_of_accelerator_devices_required: Some(gpus),
                },
                copy_count: 1,
                scaling: Some(CopyScaling {
                    min_copies: 0,
                    max_copies: 2,
                    target_concurrent_requests_per_copy: 5.0,
                    scale_in_cooldown: 300,
                    scale_out_cooldown: 60,
                }),
                container_startup_health_check_timeout_in_seconds: None,
                model_data_download_timeout_in_seconds: None,
            });
            spec
        };
        SageMakerInferenceComponentEndpointArgs {
            endpoint_name: "chat".into(),
            model_list: vec![with("llama", 16_384, 1.0), with("mistral", 16_384, 1.0)],
            model_names: Output::new(vec!["llama-model".into(), "mistral-model".into()]),
            execution_role_arn: "arn:aws:iam::123456789012:role/exec".into(),
            instance_type: Some("ml.g5.12xlarge".into()),
            initial_instance_count: 1,
            min_instance_count: 0,
            max_instance_count: 1,
            routing_strategy: None,
            rolling_update: None,
            kms_key_arn: None,
            tags: Default::default(),
        }
    }

    fn properties(args: &SageMakerInferenceComponentEndpointArgs) -> Vec<String> {
        let mut failures = Failures::new();
        check_args(args, &mut failures);
        failures
            .into_vec()
            .into_iter()
            .map(|f| f.property)
            .collect()
    }

    #[test]
    fn two_models_that_fit_pass() {
        assert!(properties(&args()).is_empty(), "{:?}", properties(&args()));
    }

    #[test]
    fn a_copy_too_big_for_an_instance_names_the_model_field() {
        let mut big = args();
        let compute = &mut big.model_list[1]
            .inference_component
            .as_mut()
            .unwrap()
            .compute_requirements;
        compute.number_of_accelerator_devices_required = Some(8.0);
        assert!(properties(&big).contains(
            &"modelList[1].InferenceComponent.ComputeRequirements.NumberOfAcceleratorDevicesRequired"
                .to_owned()
        ));
    }

    #[test]
    fn copies_beyond_the_fleet_and_zero_copies_fail() {
        let mut crowded = args();
        crowded.model_list[0]
            .inference_component
            .as_mut()
            .unwrap()
            .scaling
            .as_mut()
            .unwrap()
            .max_copies = 4;
        crowded.model_list[1]
            .inference_component
            .as_mut()
            .unwrap()
            .copy_count = 0;
        assert_eq!(
            properties(&crowded),
            [
                "modelList[1].InferenceComponent.CopyCount",
                "maxInstanceCount"
            ]
        );
        let mut missing = args();
        missing.model_list[0].inference_component = None;
        assert_eq!(properties(&missing), ["modelList[0].InferenceComponent"]);
    }
}
