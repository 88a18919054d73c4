//! Provider functions (Pulumi invokes): the seed's utility modules,
//! callable from every SDK and the Automation API without deploying
//! anything.
//!
//! - `validateConfig` (ConfigUtils): every problem of the two documents.
//! - `deployerPolicy` (SecurityUtils): the IAM policy the deploying identity needs.
//! - `endpointConfigPlan` (EndpointUtils): the endpoint configuration the
//!   documents produce, and its hashed name.
//! - `getModelParameters` (ConfigUtils): what AppConfig serves an environment now.
//! - `dashboardBody` (MonitoringUtils): the CloudWatch dashboard of an
//!   endpoint kind and its variants, as MonitorDashboard writes it.

pub mod dashboard_body;
pub mod deployer_policy;
pub mod endpoint_config_plan;
pub mod model_parameters;
pub mod validate_config;

use framework::RegistryBuilder;

/// Adds every function to the registry.
pub fn register(
    builder: RegistryBuilder<crate::SageMakerDeployment>,
) -> RegistryBuilder<crate::SageMakerDeployment> {
    builder
        .function(validate_config::ValidateConfig)
        .function(deployer_policy::DeployerPolicy)
        .function(endpoint_config_plan::EndpointConfigPlan)
        .function(model_parameters::ModelParameters)
        .function(dashboard_body::DashboardBody)
}
