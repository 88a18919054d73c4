//! Custom resources: one Rust type per kind of AWS object.

pub mod appconfig;
pub mod autoscaling;
pub mod cloudwatch;
pub mod creation_token;
pub mod events;
pub mod iam;
pub mod kms;
pub mod logs;
#[cfg(test)]
pub(crate) mod mock;
pub mod s3;
pub mod s3_object;
pub mod sagemaker;
pub mod sfn;
pub mod sns;
mod tags;

pub use tags::{Tags, removed_keys};

use framework::RegistryBuilder;

/// Adds every custom resource to the registry.
pub fn register(
    builder: RegistryBuilder<crate::SageMakerDeployment>,
) -> RegistryBuilder<crate::SageMakerDeployment> {
    builder
        .resource(kms::Key)
        .resource(s3::Bucket)
        .resource(s3_object::BucketObject)
        .resource(iam::Role)
        .resource(iam::RolePolicy)
        .resource(sagemaker::model::Model)
        .resource(sagemaker::endpoint_config::EndpointConfig)
        .resource(sagemaker::endpoint::Endpoint)
        .resource(sagemaker::ic_endpoint_config::InferenceComponentEndpointConfig)
        .resource(sagemaker::inference_component::InferenceComponent)
        .resource(autoscaling::ScalableTarget)
        .resource(autoscaling::ScalingPolicy)
        .resource(sns::Topic)
        .resource(sns::Subscription)
        .resource(cloudwatch::MetricAlarm)
        .resource(logs::LogGroup)
        .resource(sfn::StateMachine)
        .resource(sagemaker::model_package_group::ModelPackageGroup)
        .resource(events::Rule)
        .resource(cloudwatch::CompositeAlarm)
        .resource(cloudwatch::Dashboard)
        .resource(appconfig::application::Application)
        .resource(appconfig::environment::Environment)
        .resource(appconfig::configuration_profile::ConfigurationProfile)
        .resource(appconfig::hosted_configuration_version::HostedConfigurationVersion)
        .resource(appconfig::deployment_strategy::DeploymentStrategy)
        .resource(appconfig::deployment::Deployment)
}
