//! The seed's model-config shapes (`modelList` entries are PascalCase, the
//! environment settings camelCase) and the rules they must follow.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::inference_component_endpoint::InferenceComponentSettings;
use crate::naming::sagemaker_name_problem;
use crate::resources::sagemaker::endpoint_config::ServerlessCompute;
use crate::resources::sagemaker::model;
use crate::resources::sagemaker::variant_rules::{
    CapacityFields, Compute, EndpointKind, Field, ServerlessField, VariantFields, VariantList,
};
use framework::{Failures, Output};

/// The seed's names of the serverless settings.
const SEED_SERVERLESS_NAMES: [&str; 3] = ["memorySize", "maxConcurrency", "provisionedConcurrency"];

/// Serverless settings: the seed's `serverlessConfig` (per environment) or a
/// model's own `ServerlessConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerlessSettings {
    /// Memory in MB: 1024 to 6144 in steps of 1024.
    pub memory_size: u32,
    /// Concurrent invocations: 1 to 200.
    pub max_concurrency: u32,
    /// Pre-warmed concurrency, at most `maxConcurrency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency: Option<u32>,
}

impl ServerlessSettings {
    /// The settings as an endpoint configuration takes them.
    pub fn compute(&self) -> ServerlessCompute {
        ServerlessCompute {
            memory_size_in_mb: self.memory_size,
            max_concurrency: self.max_concurrency,
            provisioned_concurrency: self.provisioned_concurrency,
        }
    }

    /// The settings as written at `path`, in the seed's names.
    fn at(&self, path: String) -> ServerlessField {
        ServerlessField {
            path,
            compute: self.compute(),
            names: SEED_SERVERLESS_NAMES,
        }
    }
}

/// One entry of the seed's `modelList`: a model and the variant serving it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// The model's name (SageMaker's pattern, at most 63 characters).
    #[serde(rename = "ModelName")]
    pub model_name: String,
    /// Key of the model artifact in the model-artifact bucket.
    #[serde(rename = "ModelS3Key")]
    pub model_s3_key: String,
    /// The inference container image URI.
    #[serde(rename = "ModelDockerImage")]
    pub model_docker_image: String,
    /// The endpoint variant serving this model.
    #[serde(rename = "VariantName")]
    pub variant_name: String,
    /// Relative traffic weight of the variant.
    #[serde(rename = "VariantWeight", default = "one")]
    pub variant_weight: f64,
    /// Instances of the variant (real-time and async endpoints).
    #[serde(rename = "InstanceCount", default = "one_u32")]
    pub instance_count: u32,
    /// Instance type of the variant (real-time and async endpoints).
    #[serde(rename = "InstanceType", default = "default_instance_type")]
    pub instance_type: String,
    /// Model server worker processes (`SAGEMAKER_MODEL_SERVER_WORKERS`).
    #[serde(
        rename = "ModelServerWorkers",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub model_server_workers: Option<u32>,
    /// Serverless settings of this model; override the environment's.
    #[serde(
        rename = "ServerlessConfig",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub serverless_config: Option<ServerlessSettings>,
    /// Extra container environment variables. Secret values (API keys and
    /// the like) stay secret: the model keeps its whole environment secret.
    #[serde(
        rename = "Environment",
        default,
        skip_serializing_if = "model::is_plain_and_empty"
    )]
    pub environment: Output<BTreeMap<String, String>>,
    /// This model's compute, copies and scaling as an inference component
    /// (SageMakerInferenceComponentEndpoint and `inferenceType:
    /// "components"`; required there, ignored by the other endpoints).
    #[serde(
        rename = "InferenceComponent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inference_component: Option<InferenceComponentSettings>,
}

fn one() -> f64 {
    1.0
}

fn one_u32() -> u32 {
    1
}

fn default_instance_type() -> String {
    "ml.m5.large".to_owned()
}

/// Checks a model list as SageMakerModel needs it.
pub fn check_models(models: &[ModelSpec], failures: &mut Failures) {
    failures.require(
        !models.is_empty(),
        "modelList",
        "must list at least one model",
    );
    let mut names = BTreeSet::new();
    for (i, model) in models.iter().enumerate() {
        let at = |field: &str| format!("modelList[{i}].{field}");
        if let Some(problem) = sagemaker_name_problem(&model.model_name) {
            failures.push(at("ModelName"), problem);
        }
        if !names.insert(model.model_name.as_str()) {
            failures.push(
                at("ModelName"),
                format!("`{}` is listed more than once", model.model_name),
            );
        }
        failures.require(
            !model.model_s3_key.is_empty() && !model.model_s3_key.starts_with('/'),
            at("ModelS3Key"),
            "must be a key in the model-artifact bucket (not empty, no leading `/`)",
        );
        failures.require(
            !model.model_docker_image.is_empty(),
            at("ModelDockerImage"),
            "must name a container image",
        );
        if let Some(workers) = model.model_server_workers {
            failures.require(workers >= 1, at("ModelServerWorkers"), "must be at least 1");
        }
    }
}

/// A model list as the variants of a `kind` endpoint, for SageMaker's
/// variant rules. `serverless` is the environment's serverless settings,
/// used by the serverless variants without their own and checked once under
/// `serverlessConfig`.
pub fn variant_list<'a>(
    kind: EndpointKind,
    models: &'a [ModelSpec],
    serverless: Option<&ServerlessSettings>,
) -> VariantList<'a> {
    let on_instances = kind != EndpointKind::Serverless;
    let variants = models
        .iter()
        .enumerate()
        .map(|(i, model)| {
            let at = |field: &str| format!("modelList[{i}].{field}");
            let compute = match (&model.serverless_config, serverless) {
                _ if on_instances => {
                    Compute::Instances(Field::new(at("InstanceType"), model.instance_type.as_str()))
                }
                (Some(own), _) => Compute::Serverless(own.at(at("ServerlessConfig"))),
                (None, Some(_)) => Compute::SharedServerless,
                (None, None) => Compute::Missing(Field::new(
                    at("ServerlessConfig"),
                    "serverless settings: its own ServerlessConfig or the environment's serverlessConfig",
                )),
            };
            VariantFields {
                name: Field::new(at("VariantName"), model.variant_name.as_str()),
                compute,
            }
        })
        .collect();
    let capacity = models
        .iter()
        .enumerate()
        .map(|(i, model)| CapacityFields {
            weight: Field::new(
                format!("modelList[{i}].VariantWeight"),
                model.variant_weight,
            ),
            instance_count: on_instances.then(|| {
                Field::new(
                    format!("modelList[{i}].InstanceCount"),
                    model.instance_count,
                )
            }),
        })
        .collect();
    VariantList {
        kind,
        path: "modelList",
        variants,
        capacity_path: "modelList",
        capacity,
        shared_serverless: serverless.map(|settings| settings.at("serverlessConfig".to_owned())),
    }
}

/// The container environment of a model: its own variables plus
/// `SAGEMAKER_MODEL_SERVER_WORKERS`, secret when its own variables are.
pub fn container_environment(model: &ModelSpec) -> Output<BTreeMap<String, String>> {
    let workers = model.model_server_workers;
    model.environment.clone().map(move |mut environment| {
        if let Some(workers) = workers {
            environment.insert(
                "SAGEMAKER_MODEL_SERVER_WORKERS".to_owned(),
                workers.to_string(),
            );
        }
        environment
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn model(name: &str) -> ModelSpec {
        ModelSpec {
            model_name: format!("{name}-model"),
            model_s3_key: format!("models/{name}/v1/model.tar.gz"),
            model_docker_image:
                "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310"
                    .into(),
            variant_name: name.into(),
            variant_weight: 1.0,
            instance_count: 1,
            instance_type: "ml.m5.large".into(),
            model_server_workers: Some(2),
            serverless_config: None,
            environment: Output::default(),
            inference_component: None,
        }
    }

    fn properties(failures: Failures) -> Vec<String> {
        failures.0.into_iter().map(|f| f.property).collect()
    }

    fn check_variants(
        kind: EndpointKind,
        models: &[ModelSpec],
        serverless: Option<&ServerlessSettings>,
        failures: &mut Failures,
    ) {
        crate::resources::sagemaker::variant_rules::check_variants(
            &variant_list(kind, models, serverless),
            failures,
        );
    }

    #[test]
    fn the_seed_model_config_parses() {
        let seed = r#"[{"ModelName": "text-classification-model",
            "ModelS3Key": "models/text-classification/v1/model.tar.gz",
            "ModelDockerImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310",
            "VariantName": "PrimaryVariant", "VariantWeight": 1, "InstanceCount": 1,
            "InstanceType": "ml.m5.large", "ModelServerWorkers": 2,
            "ServerlessConfig": {"memorySize": 2048, "maxConcurrency": 5}}]"#;
        let models: Vec<ModelSpec> = serde_json::from_str(seed).unwrap();
        assert_eq!(
            models[0].serverless_config.as_ref().unwrap().memory_size,
            2048
        );
        assert_eq!(
            container_environment(&models[0]).get().unwrap()["SAGEMAKER_MODEL_SERVER_WORKERS"],
            "2"
        );
        let mut failures = Failures::new();
        check_models(&models, &mut failures);
        check_variants(EndpointKind::RealTime, &models, None, &mut failures);
        check_variants(EndpointKind::Serverless, &models, None, &mut failures);
        assert!(failures.is_empty(), "{}", failures.summary());
    }

    #[test]
    fn variant_limits_depend_on_the_endpoint_kind() {
        let six: Vec<ModelSpec> = (0..6).map(|i| model(&format!("v{i}"))).collect();
        let env = ServerlessSettings {
            memory_size: 2048,
            max_concurrency: 5,
            provisioned_concurrency: None,
        };
        let mut failures = Failures::new();
        check_variants(EndpointKind::Serverless, &six, Some(&env), &mut failures);
        assert_eq!(properties(failures), ["modelList"]);
        let eleven: Vec<ModelSpec> = (0..11).map(|i| model(&format!("v{i}"))).collect();
        let mut failures = Failures::new();
        check_variants(EndpointKind::Async, &eleven, None, &mut failures);
        assert_eq!(properties(failures), ["modelList"]);
    }

    #[test]
    fn the_environments_serverless_settings_are_reported_once_under_their_own_name() {
        let env = ServerlessSettings {
            memory_size: 1000,
            max_concurrency: 5,
            provisioned_concurrency: None,
        };
        let mut failures = Failures::new();
        check_variants(
            EndpointKind::Serverless,
            &[model("a")],
            Some(&env),
            &mut failures,
        );
        assert_eq!(properties(failures), ["serverlessConfig.memorySize"]);
    }

    #[test]
    fn bad_entries_name_their_property() {
        let mut long = model("a");
        long.model_name = "m".repeat(70);
        let mut zero = model("b");
        zero.variant_weight = 0.0;
        let mut zero2 = model("c");
        zero2.variant_weight = 0.0;
        let mut failures = Failures::new();
        check_models(&[long.clone()], &mut failures);
        assert_eq!(properties(failures), ["modelList[0].ModelName"]);
        let mut failures = Failures::new();
        check_variants(EndpointKind::RealTime, &[zero, zero2], None, &mut failures);
        assert_eq!(properties(failures), ["modelList"]);
        let mut memory = model("d");
        memory.serverless_config = Some(ServerlessSettings {
            memory_size: 1500,
            max_concurrency: 5,
            provisioned_concurrency: None,
        });
        let mut failures = Failures::new();
        check_variants(EndpointKind::Serverless, &[memory], None, &mut failures);
        assert_eq!(
            properties(failures),
            ["modelList[0].ServerlessConfig.memorySize"]
        );
    }

    #[test]
    fn a_serverless_variant_without_settings_anywhere_is_told_where_to_add_them() {
        let mut failures = Failures::new();
        check_variants(EndpointKind::Serverless, &[model("a")], None, &mut failures);
        let failure = &failures.0[0];
        assert_eq!(failure.property, "modelList[0].ServerlessConfig");
        assert!(
            failure
                .reason
                .contains("the environment's serverlessConfig"),
            "{failure}"
        );
    }
}
