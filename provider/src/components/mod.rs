//! Component resources: one per stack of the seed construct library.

pub mod app_config;
pub mod async_endpoint;
pub mod base_infra;
pub mod deployment;
pub mod deployment_config;
mod endpoint_builder;
mod endpoint_checks;
pub mod inference_component_endpoint;
pub mod model_config;
pub mod monitor_dashboard;
pub mod realtime_endpoint;
pub mod sagemaker_model;
pub mod serverless_endpoint;
pub mod workflow;

use framework::RegistryBuilder;

/// Adds every component to the registry.
pub fn register(
    builder: RegistryBuilder<crate::SageMakerDeployment>,
) -> RegistryBuilder<crate::SageMakerDeployment> {
    builder
        .component(base_infra::BaseInfra)
        .component(app_config::AppConfig)
        .component(sagemaker_model::SageMakerModel)
        .component(realtime_endpoint::SageMakerEndpoint)
        .component(async_endpoint::SageMakerAsyncEndpoint)
        .component(serverless_endpoint::SageMakerServerlessEndpoint)
        .component(inference_component_endpoint::SageMakerInferenceComponentEndpoint)
        .component(workflow::Workflow)
        .component(monitor_dashboard::MonitorDashboard)
        .component(deployment::Deployment)
}
