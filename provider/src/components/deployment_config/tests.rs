use framework::Output;
use serde_json::{Value, json};

use super::*;

const SEED_DEPLOYMENT: &str = include_str!("../../../../examples/config/deployment-config.json");
const SEED_MODEL: &str = include_str!("../../../../examples/config/model-config.json");

fn seed() -> (Value, Value) {
    (
        serde_json::from_str(SEED_DEPLOYMENT).unwrap(),
        serde_json::from_str(SEED_MODEL).unwrap(),
    )
}

fn choice(name: &str) -> EnvironmentChoice {
    EnvironmentChoice {
        name: name.into(),
        source: EnvironmentSource::Input,
    }
}

/// The workflow settings a program gives for the environments with
/// `enableWorkflow`: an image and a metric, the rest defaulted.
fn workflow() -> WorkflowSettings {
    serde_json::from_value(json!({
        "training": {
            "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310"
        },
        "evaluation": {"metricName": "validation:accuracy"}
    }))
    .unwrap()
}

/// The Deployment's other inputs, with the workflow's settings.
fn options() -> DeploymentOptions {
    DeploymentOptions {
        workflow: Some(workflow()),
        ..DeploymentOptions::default()
    }
}

/// The problems of environment `env` of the documents deployed with
/// `options`.
fn problems_with(
    deployment: &Value,
    model: &Value,
    env: &str,
    options: &DeploymentOptions,
) -> Vec<CheckFailure> {
    match Documents::parse(deployment, model) {
        Ok(documents) => validate(&documents, &choice(env), options),
        Err(problems) => problems,
    }
}

/// The problems of environment `env` of the documents, with the
/// workflow's settings given.
fn problems(deployment: &Value, model: &Value, env: &str) -> Vec<CheckFailure> {
    problems_with(deployment, model, env, &options())
}

fn paths(failures: &[CheckFailure]) -> Vec<&str> {
    failures.iter().map(|f| f.property.as_str()).collect()
}

#[test]
fn the_seed_documents_read_as_written_and_dev_and_test_are_valid() {
    let (deployment, model) = seed();
    let documents = Documents::parse(&deployment, &model).unwrap();
    let dev = &documents.deployment.environments["dev"];
    assert_eq!(dev.inference_type, InferenceType::Async);
    assert_eq!(
        dev.async_config.as_ref().unwrap().expires_in_seconds,
        Some(3600)
    );
    assert_eq!(dev.serverless_config.as_ref().unwrap().memory_size, 2048);
    assert_eq!(
        documents.deployment.environments["test"].inference_type,
        InferenceType::Realtime
    );
    assert_eq!(documents.model.model_list[0].model_server_workers, Some(2));
    assert_eq!(
        documents.model.sage_maker_endpoint_name,
        "sagemaker-deployment-endpoint"
    );
    assert!(problems(&deployment, &model, "dev").is_empty());
    assert!(problems(&deployment, &model, "test").is_empty());
}

#[test]
fn prod_without_its_existing_app_config_ids_names_each_of_them() {
    let (deployment, model) = seed();
    let found = problems(&deployment, &model, "prod");
    assert_eq!(
        paths(&found),
        [
            "deploymentConfig.environments.prod.existingAppConfigAppId",
            "deploymentConfig.environments.prod.existingAppConfigEnvId",
            "deploymentConfig.environments.prod.existingAppConfigProfileId",
        ]
    );
    assert!(
        found[0].reason.contains("createNewAppConfig is false"),
        "{}",
        found[0]
    );
    let mut given = deployment.clone();
    let prod = &mut given["environments"]["prod"];
    prod["existingAppConfigAppId"] = json!("abc1234");
    prod["existingAppConfigEnvId"] = json!("def5678");
    prod["existingAppConfigProfileId"] = json!("ghi9012");
    assert!(problems(&given, &model, "prod").is_empty());
}

#[test]
fn unknown_keys_anywhere_are_named_by_their_json_path_all_of_them() {
    let (mut deployment, mut model) = seed();
    deployment["environments"]["dev"]["inferenceTyp"] = json!("serverless");
    deployment["environments"]["dev"]["asyncConfig"]["expiresInSecond"] = json!(60);
    deployment["projekt"] = json!({});
    model["modelList"][0]["ModelNme"] = json!("typo");
    model["modelList"][0]["ServerlessConfig"]["memorysize"] = json!(1024);
    let found = problems(&deployment, &model, "dev");
    let mut found_paths = paths(&found);
    found_paths.sort();
    assert_eq!(
        found_paths,
        [
            "deploymentConfig.environments.dev.asyncConfig.expiresInSecond",
            "deploymentConfig.environments.dev.inferenceTyp",
            "deploymentConfig.projekt",
            "modelConfig.modelList[0].ModelNme",
            "modelConfig.modelList[0].ServerlessConfig.memorysize",
        ],
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|f| f.reason.starts_with("is not a known property")),
        "{found:?}"
    );
}

#[test]
fn wrong_types_and_missing_keys_are_named_too() {
    let (mut deployment, mut model) = seed();
    deployment["environments"]["dev"]["inferenceType"] = json!("batch");
    deployment["environments"]["test"]["enableMonitoring"] = json!("yes");
    model
        .as_object_mut()
        .unwrap()
        .remove("sageMakerEndpointName");
    let found = problems(&deployment, &model, "dev");
    let mut found_paths = paths(&found);
    found_paths.sort();
    assert_eq!(
        found_paths,
        [
            "deploymentConfig.environments.dev.inferenceType",
            "deploymentConfig.environments.test.enableMonitoring",
            "modelConfig.sageMakerEndpointName",
        ],
        "{found:?}"
    );
    let not_objects = problems(&json!([]), &json!("model"), "dev");
    assert_eq!(paths(&not_objects), ["deploymentConfig", "modelConfig"]);
}

#[test]
fn a_missing_environment_lists_the_ones_the_document_has() {
    let (deployment, model) = seed();
    let found = problems(&deployment, &model, "staging");
    assert_eq!(paths(&found), ["deploymentConfig.environments"]);
    assert!(found[0].reason.contains("`staging`"), "{}", found[0]);
    assert!(
        found[0].reason.ends_with("it has: dev, prod, test"),
        "{}",
        found[0]
    );
}

#[test]
fn the_environment_is_the_input_then_deployment_env_then_the_stack() {
    let chosen = |input, variable, stack| choose_environment(input, variable, stack).unwrap();
    assert_eq!(
        chosen(Some("prod"), Some("test"), Some("dev")),
        EnvironmentChoice {
            name: "prod".into(),
            source: EnvironmentSource::Input
        }
    );
    assert_eq!(
        chosen(None, Some("test"), Some("dev")).source,
        EnvironmentSource::DeploymentEnv
    );
    assert_eq!(chosen(Some(""), Some("test"), Some("dev")).name, "test");
    assert_eq!(
        chosen(None, Some(" "), Some("dev")),
        EnvironmentChoice {
            name: "dev".into(),
            source: EnvironmentSource::StackName
        }
    );
    assert_eq!(choose_environment(None, None, None), None);
}

#[test]
fn variant_limits_follow_the_inference_type() {
    let (mut deployment, mut model) = seed();
    let first = model["modelList"][0].clone();
    let six: Vec<Value> = (0..6)
        .map(|i| {
            let mut entry = first.clone();
            entry["ModelName"] = json!(format!("model-{i}"));
            entry["VariantName"] = json!(format!("Variant{i}"));
            entry
        })
        .collect();
    model["modelList"] = json!(six);
    // Six variants: fine for an async endpoint (10), not for a serverless one (5).
    assert!(problems(&deployment, &model, "dev").is_empty());
    deployment["environments"]["dev"]["inferenceType"] = json!("serverless");
    let found = problems(&deployment, &model, "dev");
    assert_eq!(paths(&found), ["modelConfig.modelList"], "{found:?}");
    assert!(found[0].reason.contains('5'), "{}", found[0]);
}

#[test]
fn serverless_memory_is_checked_where_it_is_written_and_a_model_s_own_wins() {
    let (mut deployment, mut model) = seed();
    let dev = &mut deployment["environments"]["dev"];
    dev["inferenceType"] = json!("serverless");
    dev["serverlessConfig"]["memorySize"] = json!(3000);
    model["modelList"][0]["ServerlessConfig"]["memorySize"] = json!(1500);
    let found = problems(&deployment, &model, "dev");
    let mut found_paths = paths(&found);
    found_paths.sort();
    assert_eq!(
        found_paths,
        [
            "deploymentConfig.environments.dev.serverlessConfig.memorySize",
            "modelConfig.modelList[0].ServerlessConfig.memorySize",
        ]
    );
    // Without its own settings, a model takes the environment's.
    model["modelList"][0]
        .as_object_mut()
        .unwrap()
        .remove("ServerlessConfig");
    deployment["environments"]["dev"]["serverlessConfig"]["memorySize"] = json!(4096);
    assert!(problems(&deployment, &model, "dev").is_empty());
    // And with neither, the model is told where to add them.
    deployment["environments"]["dev"]
        .as_object_mut()
        .unwrap()
        .remove("serverlessConfig");
    assert_eq!(
        paths(&problems(&deployment, &model, "dev")),
        ["modelConfig.modelList[0].ServerlessConfig"]
    );
}

#[test]
fn expires_in_seconds_and_concurrency_follow_sagemaker_s_ranges() {
    let (mut deployment, model) = seed();
    deployment["environments"]["dev"]["asyncConfig"] =
        json!({"maxConcurrentInvocationsPerInstance": 0, "expiresInSeconds": 30});
    let found = problems(&deployment, &model, "dev");
    assert_eq!(
        paths(&found),
        [
            "deploymentConfig.environments.dev.asyncConfig.maxConcurrentInvocationsPerInstance",
            "deploymentConfig.environments.dev.asyncConfig.expiresInSeconds",
        ]
    );
    assert!(found[1].reason.contains("60 and 21600"), "{}", found[1]);
}

#[test]
fn the_parts_rules_are_reported_at_the_documents_paths() {
    let (mut deployment, mut model) = seed();
    deployment["project"]["name"] = json!("Sagemaker Deployment");
    deployment["environments"]["dev"]["stage"] = json!("Dev");
    deployment["environments"]["dev"]["account"] = json!("1234");
    deployment["environments"]["dev"]["region"] = json!("useast1");
    model["sageMakerEndpointName"] = json!("no_underscores");
    model["modelList"][0]["ModelS3Key"] = json!("elsewhere/model.tar.gz");
    model["modelList"][0]["InstanceType"] = json!("m5.large");
    let found = problems(&deployment, &model, "dev");
    let mut found_paths = paths(&found);
    found_paths.sort();
    // Async: the instance type is checked; every problem is there, not the first.
    assert_eq!(
        found_paths,
        [
            "deploymentConfig.environments.dev.account",
            "deploymentConfig.environments.dev.region",
            "deploymentConfig.environments.dev.stage",
            "deploymentConfig.project.name",
            "modelConfig.modelList[0].InstanceType",
            "modelConfig.modelList[0].ModelS3Key",
            "modelConfig.sageMakerEndpointName",
        ],
        "{found:?}"
    );
}

#[test]
fn every_environment_is_checked_when_none_is_chosen() {
    let (deployment, mut model) = seed();
    model["modelList"][0]["ModelDockerImage"] = json!("");
    let documents = Documents::parse(&deployment, &model).unwrap();
    let found = validate_all(&documents, &options());
    let mut found_paths = paths(&found);
    found_paths.sort();
    // The model's problem once; prod's AppConfig ids.
    assert_eq!(
        found_paths,
        [
            "deploymentConfig.environments.prod.existingAppConfigAppId",
            "deploymentConfig.environments.prod.existingAppConfigEnvId",
            "deploymentConfig.environments.prod.existingAppConfigProfileId",
            "modelConfig.modelList[0].ModelDockerImage",
        ]
    );
}

#[test]
fn a_model_image_from_another_region_s_registry_is_refused() {
    let (mut deployment, model) = seed();
    deployment["environments"]["dev"]["region"] = json!("eu-west-1");
    let found = problems(&deployment, &model, "dev");
    assert_eq!(paths(&found), ["modelConfig.modelList[0].ModelDockerImage"]);
    assert!(
        found[0].reason.contains("ECR registry of us-east-1"),
        "{}",
        found[0]
    );
    assert!(
        found[0].reason.contains("`dev` deploys to eu-west-1"),
        "{}",
        found[0]
    );
}

#[test]
fn enable_workflow_without_the_workflow_s_settings_fails_naming_the_input() {
    let (deployment, model) = seed();
    let found = problems_with(&deployment, &model, "test", &DeploymentOptions::default());
    assert_eq!(paths(&found), ["workflow"], "{found:?}");
    assert!(
        found[0].reason.contains("`test` has enableWorkflow"),
        "{}",
        found[0]
    );
    // dev has no workflow: nothing is asked of it.
    assert!(problems_with(&deployment, &model, "dev", &DeploymentOptions::default()).is_empty());
}

#[test]
fn the_workflow_s_and_monitoring_s_rules_are_reported_at_the_deployment_s_inputs() {
    let (deployment, model) = seed();
    let mut settings = workflow();
    settings.workflow_name = Some("a-name-far-too-long-for-the-hash".into());
    settings.training.input_s3_uri = Some("data/train".into());
    settings.evaluation.threshold_name = "recall".into();
    let options = DeploymentOptions {
        workflow: Some(settings),
        alarms: Some(crate::components::monitor_dashboard::AlarmThresholds {
            memory_utilization_percent: 120.0,
            ..Default::default()
        }),
        alarm_emails: vec!["not-an-address".into()],
        ..DeploymentOptions::default()
    };
    let found = problems_with(&deployment, &model, "test", &options);
    let mut found_paths = paths(&found);
    found_paths.sort();
    assert_eq!(
        found_paths,
        [
            "alarmEmails[0]",
            "alarms.memoryUtilizationPercent",
            "workflow.evaluation.threshold",
            "workflow.training.inputS3Uri",
            "workflow.workflowName",
        ],
        "{found:?}"
    );
}

#[test]
fn an_async_environment_s_autoscaling_is_named_as_the_deployment_s_input() {
    let (deployment, model) = seed();
    let options = DeploymentOptions {
        async_autoscaling: serde_json::from_value(json!({"minCapacity": 3, "maxCapacity": 2}))
            .unwrap(),
        ..DeploymentOptions::default()
    };
    let found = problems_with(&deployment, &model, "dev", &options);
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|f| f.property.starts_with("asyncAutoscaling")),
        "{found:?}"
    );
}

#[test]
fn a_bad_model_parameter_is_named_in_the_model_document() {
    let (deployment, mut model) = seed();
    model["modelParameters"]["inference"]["thresholds"]["classification"] = json!(1.5);
    let found = problems(&deployment, &model, "dev");
    assert_eq!(paths(&found), ["modelConfig.modelParameters"], "{found:?}");
    assert!(found[0].reason.contains("classification"), "{}", found[0]);
}

#[test]
fn the_default_workflow_name_fits_and_keeps_the_stage() {
    let (deployment, model) = seed();
    let documents = Documents::parse(&deployment, &model).unwrap();
    let options = options();
    let parts = parts::EnvironmentParts {
        documents: &documents,
        environment: &documents.deployment.environments["test"],
        options: &options,
    };
    let name = parts.workflow_name();
    assert_eq!(name, "sagemaker-deployme-test");
    assert!(name.len() <= crate::naming::WORKFLOW_PREFIX_MAX);
}

#[test]
fn workflow_training_defaults_to_the_deployment_s_buckets() {
    let training = workflow().training.training_args(
        "s3://artifacts/models/training-data/",
        "s3://outputs/training/",
    );
    assert_eq!(
        training.input_s3_uri,
        "s3://artifacts/models/training-data/"
    );
    assert_eq!(training.output_s3_uri, "s3://outputs/training/");
    assert_eq!(training.instance_type, "ml.m5.xlarge");
    assert_eq!(training.volume_size_in_gb, 30);
}

/// The seed's documents with environment `test` (monitoring, workflow) on
/// inference components: two models of the seed's shape, each with its
/// `InferenceComponent`.
fn components_seed() -> (Value, Value) {
    let (mut deployment, mut model) = seed();
    deployment["environments"]["test"]["inferenceType"] = json!("components");
    let mut second = model["modelList"][0].clone();
    second["ModelName"] = json!("sentiment-model");
    second["VariantName"] = json!("Sentiment");
    model["modelList"].as_array_mut().unwrap().push(second);
    for entry in model["modelList"].as_array_mut().unwrap() {
        entry["InferenceComponent"] = json!({
            "ComputeRequirements": {"NumberOfCpuCoresRequired": 1, "MinMemoryRequiredInMb": 1024},
            "CopyCount": 1
        });
    }
    (deployment, model)
}

/// The Deployment's other inputs, the workflow registering versions only.
fn registering_only() -> DeploymentOptions {
    let mut options = options();
    options.workflow.as_mut().unwrap().auto_deploy = false;
    options
}

#[test]
fn a_components_environment_is_valid_and_builds_an_inference_component_endpoint() {
    let (deployment, model) = components_seed();
    let found = problems_with(&deployment, &model, "test", &registering_only());
    assert!(found.is_empty(), "{found:?}");
    let documents = Documents::parse(&deployment, &model).unwrap();
    let environment = &documents.deployment.environments["test"];
    assert_eq!(environment.inference_type.as_str(), "components");
    let options = registering_only();
    let parts = parts::EnvironmentParts {
        documents: &documents,
        environment,
        options: &options,
    };
    let base = parts::BaseOutputs::unknown("models/");
    let parts::EndpointArgs::Components(args) = parts.endpoint(&base, Output::unknown(), &[])
    else {
        panic!("an inference-component endpoint");
    };
    // The defaults: the first model's instance type, one instance at
    // creation, managed instance scaling between 0 and 1.
    assert_eq!(args.endpoint_name, "sagemaker-deployment-endpoint-test");
    assert_eq!(args.instance_type(), "ml.m5.large");
    assert_eq!(
        (
            args.initial_instance_count,
            args.min_instance_count,
            args.max_instance_count
        ),
        (1, 0, 1)
    );
    let dashboard = parts.monitor_dashboard(None).unwrap();
    assert_eq!(
        dashboard.inference_type,
        crate::components::monitor_dashboard::InferenceType::Components
    );
}

#[test]
fn a_model_without_its_component_settings_is_named_in_the_model_document() {
    let (deployment, mut model) = components_seed();
    model["modelList"][1]
        .as_object_mut()
        .unwrap()
        .remove("InferenceComponent");
    let found = problems_with(&deployment, &model, "test", &registering_only());
    assert_eq!(
        paths(&found),
        ["modelConfig.modelList[1].InferenceComponent"],
        "{found:?}"
    );
    assert!(found[0].reason.contains("MinMemoryRequiredInMb"));
}

#[test]
fn components_settings_are_named_where_the_document_writes_them() {
    let (mut deployment, mut model) = components_seed();
    deployment["environments"]["test"]["componentsConfig"] =
        json!({"maxInstanceCount": 1, "minInstanceCount": 2, "instanceTyp": "ml.m5.large"});
    let found = problems_with(&deployment, &model, "test", &registering_only());
    assert_eq!(
        paths(&found),
        ["deploymentConfig.environments.test.componentsConfig.instanceTyp"]
    );
    deployment["environments"]["test"]["componentsConfig"] =
        json!({"maxInstanceCount": 1, "minInstanceCount": 2});
    // Three copies of 1 core do not fit one ml.m5.large (2 vCPUs).
    model["modelList"][0]["InferenceComponent"]["CopyCount"] = json!(3);
    let found = problems_with(&deployment, &model, "test", &registering_only());
    let at = "deploymentConfig.environments.test.componentsConfig";
    assert!(
        paths(&found).contains(&format!("{at}.minInstanceCount").as_str()),
        "{found:?}"
    );
    let fleet = found
        .iter()
        .find(|f| f.property == format!("{at}.maxInstanceCount"))
        .unwrap_or_else(|| panic!("{found:?}"));
    assert!(fleet.reason.contains("CPU cores"), "{}", fleet.reason);
}

#[test]
fn a_workflow_that_deploys_versions_is_refused_on_components_naming_both_settings() {
    let (deployment, model) = components_seed();
    let found = problems(&deployment, &model, "test");
    assert_eq!(
        paths(&found),
        ["deploymentConfig.environments.test.inferenceType"],
        "{found:?}"
    );
    assert!(found[0].reason.contains("workflow.autoDeploy"));
    assert!(found[0].reason.contains("`components`"));
}
