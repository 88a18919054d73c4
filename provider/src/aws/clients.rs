//! Provider configuration and the AWS clients built from it.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Per-service endpoint URL overrides, e.g. to use a local emulator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Endpoints {
    /// Endpoint URL for Amazon S3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<String>,
    /// Endpoint URL for AWS KMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms: Option<String>,
    /// Endpoint URL for AWS IAM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<String>,
    /// Endpoint URL for Amazon SageMaker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sagemaker: Option<String>,
    /// Endpoint URL for Application Auto Scaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicationautoscaling: Option<String>,
    /// Endpoint URL for Amazon SNS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns: Option<String>,
    /// Endpoint URL for Amazon CloudWatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudwatch: Option<String>,
}

impl Endpoints {
    fn any(&self) -> bool {
        [
            &self.s3,
            &self.kms,
            &self.iam,
            &self.sagemaker,
            &self.applicationautoscaling,
            &self.sns,
            &self.cloudwatch,
        ]
        .iter()
        .any(|url| url.is_some())
    }
}

/// Configuration of the `sagemaker-deployment` provider. Anything left unset
/// comes from the standard AWS chain: environment variables, shared config
/// and credentials files, SSO, container and instance roles, and
/// `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfig {
    /// The AWS region to deploy to, e.g. `us-east-1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The named profile of the shared AWS config to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Endpoint URL overrides per AWS service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// Tags added to every AWS object this provider creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_tags: Option<BTreeMap<String, String>>,
}

/// The AWS clients every resource shares; built once at Configure.
#[derive(Debug, Clone)]
pub struct AwsClients {
    pub s3: aws_sdk_s3::Client,
    pub kms: aws_sdk_kms::Client,
    pub iam: aws_sdk_iam::Client,
    pub sagemaker: aws_sdk_sagemaker::Client,
    pub autoscaling: aws_sdk_applicationautoscaling::Client,
    pub sns: aws_sdk_sns::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// The region the clients talk to.
    pub region: String,
    /// Tags to add to every object created.
    pub default_tags: BTreeMap<String, String>,
}

impl AwsClients {
    /// Loads the AWS configuration chain and builds the clients.
    pub async fn build(config: &ProviderConfig) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(
            RetryConfig::standard()
                .with_max_attempts(6)
                .with_initial_backoff(Duration::from_millis(200)),
        );
        if let Some(region) = &config.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &config.profile {
            loader = loader.profile_name(profile);
        }
        let shared = loader.load().await;
        let endpoints = config.endpoints.clone().unwrap_or_default();
        let path_style = endpoints.any()
            || std::env::var_os("AWS_ENDPOINT_URL").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();

        let mut s3 = aws_sdk_s3::config::Builder::from(&shared).force_path_style(path_style);
        if let Some(url) = &endpoints.s3 {
            s3 = s3.endpoint_url(url);
        }
        let mut kms = aws_sdk_kms::config::Builder::from(&shared);
        if let Some(url) = &endpoints.kms {
            kms = kms.endpoint_url(url);
        }
        let mut iam = aws_sdk_iam::config::Builder::from(&shared);
        if let Some(url) = &endpoints.iam {
            iam = iam.endpoint_url(url);
        }
        let mut sagemaker = aws_sdk_sagemaker::config::Builder::from(&shared);
        if let Some(url) = &endpoints.sagemaker {
            sagemaker = sagemaker.endpoint_url(url);
        }
        let mut autoscaling = aws_sdk_applicationautoscaling::config::Builder::from(&shared);
        if let Some(url) = &endpoints.applicationautoscaling {
            autoscaling = autoscaling.endpoint_url(url);
        }
        let mut sns = aws_sdk_sns::config::Builder::from(&shared);
        if let Some(url) = &endpoints.sns {
            sns = sns.endpoint_url(url);
        }
        let mut cloudwatch = aws_sdk_cloudwatch::config::Builder::from(&shared);
        if let Some(url) = &endpoints.cloudwatch {
            cloudwatch = cloudwatch.endpoint_url(url);
        }

        AwsClients {
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            kms: aws_sdk_kms::Client::from_conf(kms.build()),
            iam: aws_sdk_iam::Client::from_conf(iam.build()),
            sagemaker: aws_sdk_sagemaker::Client::from_conf(sagemaker.build()),
            autoscaling: aws_sdk_applicationautoscaling::Client::from_conf(autoscaling.build()),
            sns: aws_sdk_sns::Client::from_conf(sns.build()),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch.build()),
            region: shared
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".to_owned()),
            default_tags: config.default_tags.clone().unwrap_or_default(),
        }
    }

    /// The default tags merged with a resource's own (its own win).
    pub fn tags_with(&self, own: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut merged = self.default_tags.clone();
        merged.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        merged
    }
}
