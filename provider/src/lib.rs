//! `sagemaker-deployment`: a Pulumi resource provider that deploys
//! machine-learning models on Amazon SageMaker.
//!
//! Built on the `pulumi-provider-framework` crate (imported as `framework`),
//! which knows nothing of AWS: data flows engine -> framework (wire codec,
//! registry) -> a resource in [`resources`] or a component in
//! [`components`] -> [`aws`].

pub mod aws;
pub mod components;
pub mod functions;
pub mod naming;
pub mod resources;
pub mod usage;

use async_trait::async_trait;
use tokio::net::TcpListener;

/// The Pulumi package name.
pub const PACKAGE: &str = "sagemaker-deployment";
/// The provider's version, from Cargo (`[workspace.package] version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the engine downloads this plugin on a machine that does not have
/// it: the project's GitHub releases, tag `v<version>`, asset
/// `pulumi-resource-sagemaker-deployment-v<version>-<os>-<arch>.tar.gz`.
///
/// A build with `SAGEMAKER_DEPLOYMENT_PLUGIN_DOWNLOAD_URL` set in its
/// environment (read at compile time) writes that URL into the schema
/// instead, e.g. an internal mirror; set it empty for a schema with none.
pub const PLUGIN_DOWNLOAD_URL: &str = match option_env!("SAGEMAKER_DEPLOYMENT_PLUGIN_DOWNLOAD_URL")
{
    Some(url) => url,
    None => "github://api.github.com/sagemaker-deployment/sagemaker-deployment",
};

/// The `sagemaker-deployment` package: configured from
/// [`aws::ProviderConfig`], its resources work with [`aws::AwsClients`].
pub struct SageMakerDeployment;

/// What every resource operation of this provider works with.
pub type Context = framework::Context<SageMakerDeployment>;
/// Where this provider's components register their children.
pub type Scope = framework::Scope<SageMakerDeployment>;

#[async_trait]
impl framework::Package for SageMakerDeployment {
    const NAME: &'static str = PACKAGE;
    const VERSION: &'static str = VERSION;
    const PLUGIN_DOWNLOAD_URL: &'static str = PLUGIN_DOWNLOAD_URL;
    /// The resources live in the region: a new one replaces them.
    const REPLACE_ON_CHANGE: &'static [&'static str] = &["region"];
    type Config = aws::ProviderConfig;
    type Clients = aws::AwsClients;

    fn check_config(config: &aws::ProviderConfig) -> framework::Failures {
        config.check()
    }

    async fn configure(config: &aws::ProviderConfig) -> framework::Result<aws::AwsClients> {
        Ok(aws::AwsClients::build(config).await)
    }

    fn schema_metadata() -> serde_json::Map<String, serde_json::Value> {
        let metadata = serde_json::json!({
            "displayName": "SageMaker Deployment",
            "description": "Deploys machine-learning models on Amazon SageMaker: base infrastructure, models, real-time, asynchronous and serverless endpoints with verified rollouts.",
            "keywords": ["pulumi", "aws", "sagemaker", "machine-learning", "category/cloud", "kind/component"],
            "license": "Apache-2.0",
            "publisher": "sagemaker-deployment",
            "repository": env!("CARGO_PKG_REPOSITORY"),
            "homepage": env!("CARGO_PKG_REPOSITORY"),
            // The registry shows it beside the package's name: docs/logo.png (from docs/logo.svg) on main.
            "logoUrl": "https://raw.githubusercontent.com/sagemaker-deployment/sagemaker-deployment/main/docs/logo.png",
            "meta": { "moduleFormat": "(.*)", "supportPack": true },
            "language": {
                "nodejs": {
                    "packageName": "@sagemaker-deployment/sdk",
                    "packageDescription": "Deploy machine-learning models on Amazon SageMaker with Pulumi.",
                    "respectSchemaVersion": true,
                    "dependencies": { "@pulumi/pulumi": "^3.0.0" }
                },
                "python": {
                    "packageName": "pulumi_sagemaker_deployment",
                    "respectSchemaVersion": true,
                    "requires": { "pulumi": ">=3.0.0,<4.0.0" },
                    "pyproject": { "enabled": true }
                },
                "go": {
                    "importBasePath": "github.com/sagemaker-deployment/sagemaker-deployment/sdk/go/sagemakerdeployment",
                    "generateResourceContainerTypes": true,
                    "respectSchemaVersion": true,
                    // The Go generator names an enum of the root package by the
                    // package name, hyphen and all, when a resource of another
                    // module uses it (pulumi/pulumi#8905); this alias makes it
                    // the root package's Go name.
                    "packageImportAliases": {
                        "github.com/sagemaker-deployment/sagemaker-deployment/sdk/go/sagemakerdeployment/sagemaker-deployment": "sagemakerdeployment"
                    }
                }
            }
        });
        match metadata {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }
}

/// Every resource and component this provider serves.
pub fn registry() -> framework::Registry<SageMakerDeployment> {
    let builder = framework::Registry::builder();
    let builder = resources::register(builder);
    let builder = components::register(builder);
    functions::register(builder).build()
}

/// Serves the provider on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    engine_address: Option<String>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    framework::serve(registry(), listener, engine_address, shutdown).await
}
