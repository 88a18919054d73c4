//! `sagemaker-deployment:index:BaseInfra`: the seed's SageMakerBaseInfraStack.
//! A KMS key, the model-artifact and async-output buckets, and the SageMaker
//! execution role with a least-privilege inline policy.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Scope;
use crate::naming::{sanitize, short_hash};
use crate::resources::{Tags, iam, kms, s3};
use framework::Result;
use framework::{ChildOptions, Component, Failures, Output};

/// Where model artifacts live: the seed's `modelArtifacts` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModelArtifacts {
    /// Key prefix under which model artifacts are stored, e.g. `models/`.
    #[serde(default = "default_prefix")]
    pub s3_key_prefix: String,
    /// Whether the artifact bucket keeps object versions.
    #[serde(default = "default_true")]
    pub enable_versioning: bool,
}

impl Default for ModelArtifacts {
    fn default() -> Self {
        ModelArtifacts {
            s3_key_prefix: default_prefix(),
            enable_versioning: true,
        }
    }
}

fn default_prefix() -> String {
    "models/".to_owned()
}

fn default_true() -> bool {
    true
}

/// Foundational resources for SageMaker deployments: a KMS key, the
/// model-artifact bucket (versioned, SSE-KMS, private, TLS-only, kept on
/// destroy unless `forceDestroy`), the async-inference output bucket, and the
/// SageMaker execution role scoped to those buckets, the key prefix and the
/// key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BaseInfraArgs {
    /// Project name (the seed's `project.name`); lowercase letters, digits and hyphens.
    pub project_name: String,
    /// Environment stage, e.g. `dev`, `test` or `prod`.
    pub stage: String,
    /// Model artifact settings (the seed's `modelArtifacts`).
    #[serde(default)]
    pub model_artifacts: ModelArtifacts,
    /// Delete the buckets and their objects on destroy. Off by default: the
    /// model-artifact bucket is kept.
    #[serde(default)]
    pub force_destroy: bool,
    /// Days (7-30) the KMS key waits before it is destroyed after a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_deletion_window_in_days: Option<u32>,
    /// Tags added to every resource.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// What BaseInfra made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BaseInfraOutputs {
    /// Name of the model-artifact bucket.
    pub model_artifact_bucket_name: Output<String>,
    /// ARN of the model-artifact bucket.
    pub model_artifact_bucket_arn: Output<String>,
    /// Name of the async-inference output bucket.
    pub async_output_bucket_name: Output<String>,
    /// ARN of the async-inference output bucket.
    pub async_output_bucket_arn: Output<String>,
    /// ARN of the KMS key.
    pub kms_key_arn: Output<String>,
    /// Id of the KMS key.
    pub kms_key_id: Output<String>,
    /// Alias of the KMS key.
    pub kms_key_alias: Output<String>,
    /// ARN of the SageMaker execution role.
    pub execution_role_arn: Output<String>,
    /// Name of the SageMaker execution role.
    pub execution_role_name: Output<String>,
    /// The model artifact key prefix.
    pub s3_key_prefix: Output<String>,
}

/// The BaseInfra component.
pub struct BaseInfra;

/// What makes a BaseInfra's names unique: S3 bucket names are global across
/// all accounts, IAM role names are global across the regions of an account,
/// and the same program may be deployed to several of each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NamingScope<'a> {
    /// The AWS account deployed to.
    pub account: &'a str,
    /// The AWS region deployed to.
    pub region: &'a str,
    /// The Pulumi project.
    pub program: &'a str,
    /// The Pulumi stack.
    pub stack: &'a str,
    /// The component's name.
    pub component: &'a str,
}

/// Names of BaseInfra's AWS objects: the project and stage, and a hash of
/// the [`NamingScope`], so that two programs, stacks, regions or accounts
/// never share a bucket, role or key alias.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseInfraNames {
    /// `<project>-<stage>`, the prefix of every name.
    pub base: String,
    pub artifact_bucket: String,
    pub output_bucket: String,
    pub role: String,
    pub key_alias: String,
}

impl BaseInfraNames {
    pub fn new(scope: NamingScope, args: &BaseInfraArgs) -> Self {
        let NamingScope {
            account,
            region,
            program,
            stack,
            component,
        } = scope;
        let base = sanitize(
            &format!("{}-{}", args.project_name, args.stage).to_lowercase(),
            36,
        );
        let hash = short_hash(
            &format!("{account}/{region}/{program}/{stack}/{component}/{base}"),
            8,
        );
        BaseInfraNames {
            artifact_bucket: format!("{base}-model-artifacts-{hash}"),
            output_bucket: format!("{base}-async-output-{hash}"),
            role: format!("{base}-sagemaker-exec-{}", &hash[..6]),
            key_alias: format!("alias/{base}-sagemaker-{}", &hash[..6]),
            base,
        }
    }
}

/// The trust policy that lets SageMaker assume the execution role.
pub fn sagemaker_trust_policy() -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "sagemaker.amazonaws.com" },
            "Action": "sts:AssumeRole"
        }]
    })
    .to_string()
}

/// The execution role's inline policy: read artifacts under the prefix, write
/// async results, use the key, write endpoint logs in the `region` of
/// `account` and metrics, and get a registry token. Pulling the images
/// themselves is granted per repository by the component that knows them
/// (SageMakerModel).
pub fn execution_role_policy(
    names: &BaseInfraNames,
    prefix: &str,
    key_arn: &str,
    region: &str,
    account: &str,
) -> String {
    let artifacts = format!("arn:aws:s3:::{}", names.artifact_bucket);
    let outputs = format!("arn:aws:s3:::{}", names.output_bucket);
    // SageMaker writes an endpoint's container logs to the log group
    // /aws/sagemaker/Endpoints/<endpoint> (SageMaker Developer Guide, "Log
    // Amazon SageMaker AI Events with Amazon CloudWatch").
    let endpoint_logs =
        format!("arn:aws:logs:{region}:{account}:log-group:/aws/sagemaker/Endpoints/*");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadModelArtifacts",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": format!("{artifacts}/{prefix}*")
            },
            {
                "Sid": "ListModelArtifacts",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": artifacts,
                "Condition": { "StringLike": { "s3:prefix": format!("{prefix}*") } }
            },
            {
                "Sid": "WriteAsyncResults",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                "Resource": format!("{outputs}/*")
            },
            {
                "Sid": "UseTheKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"],
                "Resource": key_arn
            },
            {
                "Sid": "WriteLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": endpoint_logs
            },
            {
                // No resource type for PutMetricData (Service Authorization
                // Reference, CloudWatch): "*", narrowed by namespace.
                "Sid": "PublishMetrics",
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": { "StringLike": { "cloudwatch:namespace": ["/aws/sagemaker/*", "AWS/SageMaker"] } }
            },
            {
                // No resource type for GetAuthorizationToken (Service
                // Authorization Reference, Amazon ECR).
                "Sid": "GetRegistryToken",
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*"
            }
        ]
    })
    .to_string()
}

/// Checks BaseInfra's arguments.
pub fn check_args(args: &BaseInfraArgs) -> Failures {
    let mut failures = Failures::new();
    let is_slug = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !text.starts_with('-')
            && !text.ends_with('-')
    };
    failures.require(
        is_slug(&args.project_name) && args.project_name.len() <= 24,
        "projectName",
        format!(
            "must be 1-24 lowercase letters, digits or hyphens (it becomes part of bucket names), got `{}`",
            args.project_name
        ),
    );
    failures.require(
        is_slug(&args.stage) && args.stage.len() <= 10,
        "stage",
        format!(
            "must be 1-10 lowercase letters, digits or hyphens, got `{}`",
            args.stage
        ),
    );
    let prefix = &args.model_artifacts.s3_key_prefix;
    failures.require(
        !prefix.starts_with('/')
            && prefix.len() <= 200
            && !prefix.contains("..")
            && !prefix.contains('*'),
        "modelArtifacts.s3KeyPrefix",
        "must not start with `/`, contain `..` or `*`, or exceed 200 characters",
    );
    if let Some(days) = args.kms_key_deletion_window_in_days {
        failures.require(
            (7..=30).contains(&days),
            "kmsKeyDeletionWindowInDays",
            format!("must be between 7 and 30, got {days}"),
        );
    }
    failures
}

#[async_trait]
impl Component for BaseInfra {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:BaseInfra";

    type Inputs = BaseInfraArgs;
    type Outputs = BaseInfraOutputs;

    fn check(&self, inputs: &BaseInfraArgs) -> Failures {
        check_args(inputs)
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: BaseInfraArgs,
    ) -> Result<BaseInfraOutputs> {
        let args = &args;
        let clients = scope.clients()?;
        let account = clients.account_id().await?;
        let names = BaseInfraNames::new(
            NamingScope {
                account: &account,
                region: &clients.region,
                program: &scope.project,
                stack: &scope.stack,
                component: name,
            },
            args,
        );
        let prefix = args.model_artifacts.s3_key_prefix.clone();
        let key = scope
            .resource::<kms::Key>(
                &format!("{name}-key"),
                &kms::KeyInputs {
                    description: format!(
                        "SageMaker deployment key for {} ({})",
                        args.project_name, args.stage
                    ),
                    alias_name: names.key_alias.clone(),
                    enable_key_rotation: true,
                    deletion_window_in_days: args.kms_key_deletion_window_in_days.unwrap_or(7),
                    tags: args.tags.clone(),
                },
                ChildOptions::default(),
            )
            .await?;
        let key_arn: Output<String> = key.output("arn");

        let bucket = |bucket_name: &str, versioning: bool, keep: bool| s3::BucketInputs {
            bucket_name: bucket_name.to_owned(),
            kms_key_arn: Some(key_arn.clone()),
            versioning,
            enforce_tls: true,
            force_destroy: args.force_destroy,
            keep_on_destroy: keep,
            tags: args.tags.clone(),
        };
        let artifact_inputs = bucket(
            &names.artifact_bucket,
            args.model_artifacts.enable_versioning,
            !args.force_destroy,
        );
        let output_inputs = bucket(&names.output_bucket, false, false);
        let artifacts_name = format!("{name}-model-artifacts");
        let outputs_name = format!("{name}-async-output");
        let mut buckets = framework::all_children([
            scope.resource::<s3::Bucket>(
                &artifacts_name,
                &artifact_inputs,
                ChildOptions::default(),
            ),
            scope.resource::<s3::Bucket>(&outputs_name, &output_inputs, ChildOptions::default()),
        ])
        .await?;
        let outputs = buckets.pop().expect("two buckets");
        let artifacts = buckets.pop().expect("two buckets");

        let policy = key_arn.clone().map({
            let (names, prefix) = (names.clone(), prefix.clone());
            let (region, account) = (clients.region.clone(), account.clone());
            move |key| execution_role_policy(&names, &prefix, &key, &region, &account)
        });
        let role = scope
            .resource::<iam::Role>(
                &format!("{name}-execution-role"),
                &iam::RoleInputs {
                    role_name: names.role.clone(),
                    assume_role_policy: sagemaker_trust_policy(),
                    description: format!(
                        "SageMaker execution role for {} ({})",
                        args.project_name, args.stage
                    ),
                    inline_policies: [("sagemaker-execution".to_owned(), policy)].into(),
                    tags: args.tags.clone(),
                },
                ChildOptions {
                    depends_on: vec![artifacts.urn.clone(), outputs.urn.clone()],
                    ..Default::default()
                },
            )
            .await?;

        Ok(BaseInfraOutputs {
            model_artifact_bucket_name: artifacts.output("bucketName"),
            model_artifact_bucket_arn: artifacts.output("arn"),
            async_output_bucket_name: outputs.output("bucketName"),
            async_output_bucket_arn: outputs.output("arn"),
            kms_key_arn: key_arn,
            kms_key_id: key.output("keyId"),
            kms_key_alias: key.output("aliasName"),
            execution_role_arn: role.output("arn"),
            execution_role_name: role.output("roleName"),
            s3_key_prefix: Output::new(prefix),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::s3::bucket_name_problem;

    fn placement<'a>(program: &'a str, stack: &'a str) -> NamingScope<'a> {
        NamingScope {
            account: "123456789012",
            region: "us-east-1",
            program,
            stack,
            component: "base",
        }
    }

    fn args() -> BaseInfraArgs {
        BaseInfraArgs {
            project_name: "sagemaker-deployment".into(),
            stage: "prod".into(),
            model_artifacts: ModelArtifacts::default(),
            force_destroy: false,
            kms_key_deletion_window_in_days: None,
            tags: Tags::new(),
        }
    }

    #[test]
    fn names_are_valid_for_s3_and_iam_even_at_the_longest() {
        let long = BaseInfraArgs {
            project_name: "a".repeat(24),
            stage: "b".repeat(10),
            ..args()
        };
        for args in [args(), long] {
            let names = BaseInfraNames::new(placement("fraud", "prod"), &args);
            assert_eq!(
                bucket_name_problem(&names.artifact_bucket),
                None,
                "{}",
                names.artifact_bucket
            );
            assert_eq!(
                bucket_name_problem(&names.output_bucket),
                None,
                "{}",
                names.output_bucket
            );
            assert!(names.role.len() <= 64);
        }
    }

    #[test]
    fn names_differ_between_programs_and_stacks() {
        let one = BaseInfraNames::new(placement("py-endpoint", "dev"), &args());
        let other = BaseInfraNames::new(placement("ts-endpoint", "dev"), &args());
        let prod = BaseInfraNames::new(placement("py-endpoint", "prod"), &args());
        assert_ne!(one.artifact_bucket, other.artifact_bucket);
        assert_ne!(one.key_alias, other.key_alias);
        assert_ne!(one.role, prod.role);
    }

    #[test]
    fn the_same_program_gets_other_names_in_another_region_or_account() {
        let here = BaseInfraNames::new(placement("fraud", "prod"), &args());
        let other_region = BaseInfraNames::new(
            NamingScope {
                region: "eu-west-1",
                ..placement("fraud", "prod")
            },
            &args(),
        );
        let other_account = BaseInfraNames::new(
            NamingScope {
                account: "210987654321",
                ..placement("fraud", "prod")
            },
            &args(),
        );
        for elsewhere in [other_region, other_account] {
            assert_ne!(here.artifact_bucket, elsewhere.artifact_bucket);
            assert_ne!(here.output_bucket, elsewhere.output_bucket);
            assert_ne!(here.role, elsewhere.role);
            assert_ne!(here.key_alias, elsewhere.key_alias);
        }
        assert_eq!(
            here,
            BaseInfraNames::new(placement("fraud", "prod"), &args())
        );
    }

    #[test]
    fn the_execution_policy_is_scoped_to_the_buckets_prefix_and_key() {
        let names = BaseInfraNames::new(placement("fraud", "dev"), &args());
        let policy: serde_json::Value = serde_json::from_str(&execution_role_policy(
            &names,
            "models/",
            "arn:aws:kms:us-east-1:1:key/k",
            "us-east-1",
            "123456789012",
        ))
        .unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        let read = &statements[0];
        assert_eq!(
            read["Resource"],
            format!("arn:aws:s3:::{}/models/*", names.artifact_bucket)
        );
        let key = statements.iter().find(|s| s["Sid"] == "UseTheKey").unwrap();
        assert_eq!(key["Resource"], "arn:aws:kms:us-east-1:1:key/k");
        let logs = statements.iter().find(|s| s["Sid"] == "WriteLogs").unwrap();
        assert_eq!(
            logs["Resource"],
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/*"
        );
        // Only actions without a resource type are granted on "*".
        let anywhere: Vec<&serde_json::Value> = statements
            .iter()
            .filter(|s| s["Resource"] == "*")
            .map(|s| &s["Action"])
            .collect();
        assert_eq!(
            anywhere,
            ["cloudwatch:PutMetricData", "ecr:GetAuthorizationToken"]
        );
        assert!(!policy.to_string().contains("AmazonSageMakerFullAccess"));
        assert!(
            statements
                .iter()
                .all(|s| s["Action"] != "*" && s["Action"] != "s3:*")
        );
    }

    #[test]
    fn invalid_arguments_name_the_property() {
        let bad = BaseInfraArgs {
            project_name: "Fraud Detection".into(),
            stage: "".into(),
            kms_key_deletion_window_in_days: Some(90),
            ..args()
        };
        let properties: Vec<_> = check_args(&bad).0.into_iter().map(|f| f.property).collect();
        assert_eq!(
            properties,
            ["projectName", "stage", "kmsKeyDeletionWindowInDays"]
        );
        assert!(check_args(&args()).is_empty());
    }
}
