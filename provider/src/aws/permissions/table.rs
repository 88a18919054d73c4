//! The table: each (service, operation) the provider calls, and the IAM
//! actions AWS checks for it.
//!
//! Sources, cited at the rows whose link is not obvious:
//! - [SAR]: the Service Authorization Reference, "Actions, resources, and
//!   condition keys for <service>", whose "Dependent actions" column lists
//!   what a call needs besides its own action
//!   (<https://docs.aws.amazon.com/service-authorization/latest/reference/>).
//! - The API reference page of the operation ("To use this operation, you
//!   must have permission to perform the ... action").
//! - The service's developer guide, named at the row.

use super::Permission;
use crate::aws::Service::{self, *};

const fn plain(
    service: Service,
    operation: &'static str,
    actions: &'static [&'static str],
) -> Permission {
    Permission::plain(service, operation, actions)
}

const fn because(
    service: Service,
    operation: &'static str,
    actions: &'static [&'static str],
    reason: &'static str,
) -> Permission {
    Permission::because(service, operation, actions, reason)
}

/// Every AWS API operation the provider calls, with the IAM actions it needs.
pub const PERMISSIONS: &[Permission] = &[
    // ---- Amazon S3 (s3:Bucket) ----
    plain(S3, "CreateBucket", &["s3:CreateBucket"]),
    // S3 API Reference, ListBuckets: "you must have the
    // s3:ListAllMyBuckets permission". Called only when CreateBucket's
    // answer was lost, to find the bucket it made (aws/lost_answers).
    because(
        S3,
        "ListBuckets",
        &["s3:ListAllMyBuckets"],
        "ListBuckets is authorized as s3:ListAllMyBuckets",
    ),
    // S3 API Reference, HeadBucket: "you must have permissions to perform
    // the s3:ListBucket action".
    because(
        S3,
        "HeadBucket",
        &["s3:ListBucket"],
        "HeadBucket is authorized as s3:ListBucket",
    ),
    plain(S3, "GetBucketVersioning", &["s3:GetBucketVersioning"]),
    // S3 API Reference, GetBucketEncryption: s3:GetEncryptionConfiguration.
    because(
        S3,
        "GetBucketEncryption",
        &["s3:GetEncryptionConfiguration"],
        "bucket encryption is authorized as s3:GetEncryptionConfiguration",
    ),
    plain(S3, "GetBucketPolicy", &["s3:GetBucketPolicy"]),
    plain(S3, "GetBucketTagging", &["s3:GetBucketTagging"]),
    plain(S3, "DeleteBucket", &["s3:DeleteBucket"]),
    // S3 API Reference, PutPublicAccessBlock: s3:PutBucketPublicAccessBlock.
    because(
        S3,
        "PutPublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"],
        "a bucket's public access block is authorized as s3:PutBucketPublicAccessBlock",
    ),
    // S3 API Reference, PutBucketEncryption: s3:PutEncryptionConfiguration.
    because(
        S3,
        "PutBucketEncryption",
        &["s3:PutEncryptionConfiguration"],
        "bucket encryption is authorized as s3:PutEncryptionConfiguration",
    ),
    plain(S3, "PutBucketVersioning", &["s3:PutBucketVersioning"]),
    plain(S3, "PutBucketPolicy", &["s3:PutBucketPolicy"]),
    plain(S3, "DeleteBucketPolicy", &["s3:DeleteBucketPolicy"]),
    // S3 API Reference, DeleteBucketTagging: "you must have permission to
    // perform the s3:PutBucketTagging action"; the SAR has no
    // s3:DeleteBucketTagging.
    because(
        S3,
        "DeleteBucketTagging",
        &["s3:PutBucketTagging"],
        "removing a bucket's tags is authorized as s3:PutBucketTagging",
    ),
    plain(S3, "PutBucketTagging", &["s3:PutBucketTagging"]),
    // S3 API Reference, ListObjectVersions: "s3:ListBucketVersions action.
    // Be aware of the name difference."
    because(
        S3,
        "ListObjectVersions",
        &["s3:ListBucketVersions"],
        "listing object versions is authorized as s3:ListBucketVersions",
    ),
    // S3 API Reference, DeleteObject: deleting a given version (versionId)
    // is authorized as s3:DeleteObjectVersion.
    because(
        S3,
        "DeleteObject",
        &["s3:DeleteObject", "s3:DeleteObjectVersion"],
        "forceDestroy empties a bucket version by version (DeleteObject with a versionId)",
    ),
    // ---- AWS KMS (kms:Key) ----
    // KMS Developer Guide, "Managing KMS key tags with API operations": "To
    // add tags when creating a KMS key, the caller must have kms:TagResource
    // permission in an IAM policy"; SAR: CreateKey's dependent actions.
    because(
        Kms,
        "CreateKey",
        &["kms:CreateKey", "kms:TagResource"],
        "the key is created with its tags (provider default tags included)",
    ),
    plain(Kms, "DescribeKey", &["kms:DescribeKey"]),
    plain(Kms, "GetKeyRotationStatus", &["kms:GetKeyRotationStatus"]),
    plain(Kms, "ListAliases", &["kms:ListAliases"]),
    plain(Kms, "ListResourceTags", &["kms:ListResourceTags"]),
    plain(Kms, "DeleteAlias", &["kms:DeleteAlias"]),
    plain(Kms, "ScheduleKeyDeletion", &["kms:ScheduleKeyDeletion"]),
    plain(Kms, "EnableKeyRotation", &["kms:EnableKeyRotation"]),
    plain(Kms, "DisableKeyRotation", &["kms:DisableKeyRotation"]),
    plain(Kms, "UpdateKeyDescription", &["kms:UpdateKeyDescription"]),
    plain(Kms, "CreateAlias", &["kms:CreateAlias"]),
    // Called only when a CreateKey's answer was lost (the keys it made) or
    // an alias is left on a key scheduled for deletion (resources/kms).
    plain(Kms, "ListKeys", &["kms:ListKeys"]),
    plain(Kms, "UpdateAlias", &["kms:UpdateAlias"]),
    plain(Kms, "UntagResource", &["kms:UntagResource"]),
    plain(Kms, "TagResource", &["kms:TagResource"]),
    // ---- AWS IAM (iam:Role, iam:RolePolicy) ----
    // CreateRole with Tags fails unless the caller may also iam:TagRole
    // (tag-on-create; not in the SAR's dependent actions for CreateRole).
    because(
        Iam,
        "CreateRole",
        &["iam:CreateRole", "iam:TagRole"],
        "the role is created with its tags (provider default tags included)",
    ),
    plain(Iam, "GetRole", &["iam:GetRole"]),
    plain(Iam, "GetRolePolicy", &["iam:GetRolePolicy"]),
    plain(
        Iam,
        "UpdateAssumeRolePolicy",
        &["iam:UpdateAssumeRolePolicy"],
    ),
    plain(Iam, "UpdateRole", &["iam:UpdateRole"]),
    plain(Iam, "DeleteRolePolicy", &["iam:DeleteRolePolicy"]),
    plain(Iam, "ListRolePolicies", &["iam:ListRolePolicies"]),
    plain(Iam, "ListRoleTags", &["iam:ListRoleTags"]),
    plain(
        Iam,
        "ListAttachedRolePolicies",
        &["iam:ListAttachedRolePolicies"],
    ),
    plain(Iam, "DetachRolePolicy", &["iam:DetachRolePolicy"]),
    plain(Iam, "DeleteRole", &["iam:DeleteRole"]),
    plain(Iam, "PutRolePolicy", &["iam:PutRolePolicy"]),
    // ---- Amazon SageMaker ----
    // SageMaker Developer Guide, "Amazon SageMaker AI API Permissions":
    // CreateModel needs sagemaker:CreateModel and iam:PassRole; SAR:
    // CreateModel's dependent actions are iam:PassRole and sagemaker:AddTags.
    because(
        SageMaker,
        "CreateModel",
        &["sagemaker:CreateModel", "sagemaker:AddTags", "iam:PassRole"],
        "SageMaker is handed the execution role (iam:PassRole), and the model is created with its tags",
    ),
    plain(SageMaker, "DescribeModel", &["sagemaker:DescribeModel"]),
    plain(SageMaker, "ListTags", &["sagemaker:ListTags"]),
    plain(SageMaker, "DeleteModel", &["sagemaker:DeleteModel"]),
    // SAR: CreateEndpointConfig's dependent actions are sagemaker:AddTags and
    // iam:PassRole (with an ExecutionRoleArn, which an inference-component
    // endpoint configuration needs).
    because(
        SageMaker,
        "CreateEndpointConfig",
        &[
            "sagemaker:CreateEndpointConfig",
            "sagemaker:AddTags",
            "iam:PassRole",
        ],
        "the endpoint configuration is created with its tags, and an inference-component one is handed the execution role",
    ),
    plain(
        SageMaker,
        "DescribeEndpointConfig",
        &["sagemaker:DescribeEndpointConfig"],
    ),
    plain(
        SageMaker,
        "DeleteEndpointConfig",
        &["sagemaker:DeleteEndpointConfig"],
    ),
    // SageMaker Developer Guide, "Amazon SageMaker AI API Permissions":
    // CreateEndpoint needs kms:CreateGrant "only if the associated
    // EndPointConfig has a KmsKeyId specified"; SAR: dependent action
    // sagemaker:AddTags, and the endpoint-config is a required resource.
    // kms:DescribeKey: AWS pairs it with CreateGrant wherever SageMaker is
    // given a customer managed key (e.g. the CreateDomain permissions).
    because(
        SageMaker,
        "CreateEndpoint",
        &[
            "sagemaker:CreateEndpoint",
            "sagemaker:AddTags",
            "kms:CreateGrant",
            "kms:DescribeKey",
        ],
        "the endpoint is created with its tags; an endpoint configuration with a KMS key makes SageMaker create a grant on it for the caller",
    ),
    // SAR: UpdateEndpoint is authorized on the endpoint and on the new
    // endpoint-config. The KMS actions mirror CreateEndpoint: the new
    // configuration's fleet is launched with its key.
    because(
        SageMaker,
        "UpdateEndpoint",
        &[
            "sagemaker:UpdateEndpoint",
            "kms:CreateGrant",
            "kms:DescribeKey",
        ],
        "a new endpoint configuration with a KMS key is deployed like one at CreateEndpoint",
    ),
    plain(
        SageMaker,
        "UpdateEndpointWeightsAndCapacities",
        &["sagemaker:UpdateEndpointWeightsAndCapacities"],
    ),
    plain(
        SageMaker,
        "DescribeEndpoint",
        &["sagemaker:DescribeEndpoint"],
    ),
    plain(SageMaker, "DeleteEndpoint", &["sagemaker:DeleteEndpoint"]),
    // SAR: CreateInferenceComponent's dependent action is sagemaker:AddTags.
    because(
        SageMaker,
        "CreateInferenceComponent",
        &["sagemaker:CreateInferenceComponent", "sagemaker:AddTags"],
        "the inference component is created with its tags",
    ),
    plain(
        SageMaker,
        "DescribeInferenceComponent",
        &["sagemaker:DescribeInferenceComponent"],
    ),
    plain(
        SageMaker,
        "UpdateInferenceComponent",
        &["sagemaker:UpdateInferenceComponent"],
    ),
    plain(
        SageMaker,
        "UpdateInferenceComponentRuntimeConfig",
        &["sagemaker:UpdateInferenceComponentRuntimeConfig"],
    ),
    plain(
        SageMaker,
        "DeleteInferenceComponent",
        &["sagemaker:DeleteInferenceComponent"],
    ),
    plain(SageMaker, "AddTags", &["sagemaker:AddTags"]),
    plain(SageMaker, "DeleteTags", &["sagemaker:DeleteTags"]),
    // ---- Application Auto Scaling ----
    // Application Auto Scaling User Guide, "Service-linked roles": the first
    // RegisterScalableTarget for a service creates its service-linked role,
    // which needs iam:CreateServiceLinkedRole; "Identity-based policy
    // examples" > "SageMaker endpoints" and the SageMaker Developer Guide,
    // "Auto scaling prerequisites": sagemaker:DescribeEndpoint,
    // sagemaker:DescribeEndpointConfig,
    // sagemaker:UpdateEndpointWeightsAndCapacities.
    because(
        ApplicationAutoScaling,
        "RegisterScalableTarget",
        &[
            "application-autoscaling:RegisterScalableTarget",
            "iam:CreateServiceLinkedRole",
            "sagemaker:DescribeEndpoint",
            "sagemaker:DescribeEndpointConfig",
            "sagemaker:UpdateEndpointWeightsAndCapacities",
        ],
        "the first registration creates the AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint service-linked role, and the endpoint variant is checked on the caller's behalf",
    ),
    plain(
        ApplicationAutoScaling,
        "DescribeScalableTargets",
        &["application-autoscaling:DescribeScalableTargets"],
    ),
    plain(
        ApplicationAutoScaling,
        "DeregisterScalableTarget",
        &["application-autoscaling:DeregisterScalableTarget"],
    ),
    plain(
        ApplicationAutoScaling,
        "DescribeScalingPolicies",
        &["application-autoscaling:DescribeScalingPolicies"],
    ),
    // Application Auto Scaling User Guide, "Identity-based policy examples" >
    // "SageMaker endpoints": cloudwatch:DescribeAlarms, PutMetricAlarm and
    // DeleteAlarms, for the alarms a target tracking policy owns.
    because(
        ApplicationAutoScaling,
        "PutScalingPolicy",
        &[
            "application-autoscaling:PutScalingPolicy",
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:DeleteAlarms",
        ],
        "a target tracking policy creates and replaces its CloudWatch alarms",
    ),
    because(
        ApplicationAutoScaling,
        "DeleteScalingPolicy",
        &[
            "application-autoscaling:DeleteScalingPolicy",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:DeleteAlarms",
        ],
        "deleting a target tracking policy deletes its CloudWatch alarms",
    ),
    // ---- Amazon SNS (sns:Topic) ----
    // SNS API Reference, CreateTopic, Tags: "To be able to tag a topic on
    // creation, you must have the sns:CreateTopic and sns:TagResource
    // permissions."
    because(
        Sns,
        "CreateTopic",
        &["sns:CreateTopic", "sns:TagResource"],
        "the topic is created with its tags",
    ),
    plain(Sns, "GetTopicAttributes", &["sns:GetTopicAttributes"]),
    plain(Sns, "SetTopicAttributes", &["sns:SetTopicAttributes"]),
    plain(Sns, "DeleteTopic", &["sns:DeleteTopic"]),
    plain(Sns, "UntagResource", &["sns:UntagResource"]),
    plain(Sns, "TagResource", &["sns:TagResource"]),
    // ---- Amazon SNS (sns:Subscription) ----
    plain(Sns, "Subscribe", &["sns:Subscribe"]),
    plain(
        Sns,
        "GetSubscriptionAttributes",
        &["sns:GetSubscriptionAttributes"],
    ),
    plain(Sns, "Unsubscribe", &["sns:Unsubscribe"]),
    // ---- Amazon CloudWatch (cloudwatch:MetricAlarm) ----
    // Alarms are created without tags, so cloudwatch:TagResource is not needed.
    plain(CloudWatch, "PutMetricAlarm", &["cloudwatch:PutMetricAlarm"]),
    plain(CloudWatch, "DescribeAlarms", &["cloudwatch:DescribeAlarms"]),
    plain(CloudWatch, "DeleteAlarms", &["cloudwatch:DeleteAlarms"]),
    // ---- Amazon CloudWatch (cloudwatch:CompositeAlarm, cloudwatch:Dashboard) ----
    // Created without tags too.
    plain(
        CloudWatch,
        "PutCompositeAlarm",
        &["cloudwatch:PutCompositeAlarm"],
    ),
    plain(CloudWatch, "PutDashboard", &["cloudwatch:PutDashboard"]),
    plain(CloudWatch, "GetDashboard", &["cloudwatch:GetDashboard"]),
    plain(
        CloudWatch,
        "DeleteDashboards",
        &["cloudwatch:DeleteDashboards"],
    ),
    // ---- Amazon S3 (s3:BucketObject, and the model-data check) ----
    // S3 API Reference, HeadObject: "you must have the s3:GetObject
    // permission"; it reads metadata only, so no kms:Decrypt.
    because(
        S3,
        "HeadObject",
        &["s3:GetObject"],
        "HeadObject is authorized as s3:GetObject",
    ),
    // S3 User Guide, "Using server-side encryption with AWS KMS keys": "To
    // upload an object encrypted with an AWS KMS key, you need
    // kms:GenerateDataKey permissions on the key"; PutObject with tags also
    // needs s3:PutObjectTagging (API Reference, PutObject, x-amz-tagging).
    because(
        S3,
        "PutObject",
        &["s3:PutObject", "s3:PutObjectTagging", "kms:GenerateDataKey"],
        "the object is tagged at upload, and encrypted with the bucket's KMS key",
    ),
    // Multipart uploads are authorized as s3:PutObject (API Reference,
    // CreateMultipartUpload, UploadPart, CompleteMultipartUpload); with
    // SSE-KMS, "you must have permission to the kms:Decrypt and
    // kms:GenerateDataKey actions" for multipart uploads (S3 User Guide,
    // "Uploading and copying objects using multipart upload").
    because(
        S3,
        "CreateMultipartUpload",
        &["s3:PutObject", "s3:PutObjectTagging", "kms:GenerateDataKey"],
        "a multipart upload is authorized as s3:PutObject; tagged, and encrypted with the bucket's KMS key",
    ),
    because(
        S3,
        "UploadPart",
        &["s3:PutObject", "kms:GenerateDataKey"],
        "a part upload is authorized as s3:PutObject, encrypted with the bucket's KMS key",
    ),
    because(
        S3,
        "CompleteMultipartUpload",
        &["s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"],
        "completing a multipart upload is authorized as s3:PutObject; S3 decrypts the SSE-KMS parts",
    ),
    plain(S3, "AbortMultipartUpload", &["s3:AbortMultipartUpload"]),
    plain(S3, "PutObjectTagging", &["s3:PutObjectTagging"]),
    plain(S3, "DeleteObjectTagging", &["s3:DeleteObjectTagging"]),
    // ---- AWS AppConfig (appconfig:*) ----
    // SAR for AWS AppConfig, "API operations": a Create* with tags also
    // authorizes appconfig:TagResource; CreateEnvironment and
    // UpdateEnvironment pass the monitors' role (iam:PassRole).
    because(
        AppConfig,
        "CreateApplication",
        &["appconfig:CreateApplication", "appconfig:TagResource"],
        "the application is created with its tags",
    ),
    plain(AppConfig, "GetApplication", &["appconfig:GetApplication"]),
    plain(
        AppConfig,
        "DeleteApplication",
        &["appconfig:DeleteApplication"],
    ),
    because(
        AppConfig,
        "CreateEnvironment",
        &[
            "appconfig:CreateEnvironment",
            "appconfig:TagResource",
            "iam:PassRole",
        ],
        "the environment is created with its tags, and AppConfig is handed the monitors' alarm role",
    ),
    plain(AppConfig, "GetEnvironment", &["appconfig:GetEnvironment"]),
    because(
        AppConfig,
        "UpdateEnvironment",
        &["appconfig:UpdateEnvironment", "iam:PassRole"],
        "AppConfig is handed the monitors' alarm role",
    ),
    plain(
        AppConfig,
        "DeleteEnvironment",
        &["appconfig:DeleteEnvironment"],
    ),
    because(
        AppConfig,
        "CreateConfigurationProfile",
        &[
            "appconfig:CreateConfigurationProfile",
            "appconfig:TagResource",
        ],
        "the profile is created with its tags",
    ),
    plain(
        AppConfig,
        "GetConfigurationProfile",
        &["appconfig:GetConfigurationProfile"],
    ),
    plain(
        AppConfig,
        "UpdateConfigurationProfile",
        &["appconfig:UpdateConfigurationProfile"],
    ),
    plain(
        AppConfig,
        "DeleteConfigurationProfile",
        &["appconfig:DeleteConfigurationProfile"],
    ),
    plain(
        AppConfig,
        "CreateHostedConfigurationVersion",
        &["appconfig:CreateHostedConfigurationVersion"],
    ),
    plain(
        AppConfig,
        "GetHostedConfigurationVersion",
        &["appconfig:GetHostedConfigurationVersion"],
    ),
    plain(
        AppConfig,
        "DeleteHostedConfigurationVersion",
        &["appconfig:DeleteHostedConfigurationVersion"],
    ),
    because(
        AppConfig,
        "CreateDeploymentStrategy",
        &[
            "appconfig:CreateDeploymentStrategy",
            "appconfig:TagResource",
        ],
        "the strategy is created with its tags",
    ),
    plain(
        AppConfig,
        "GetDeploymentStrategy",
        &["appconfig:GetDeploymentStrategy"],
    ),
    plain(
        AppConfig,
        "DeleteDeploymentStrategy",
        &["appconfig:DeleteDeploymentStrategy"],
    ),
    because(
        AppConfig,
        "StartDeployment",
        &["appconfig:StartDeployment", "appconfig:TagResource"],
        "the deployment is started with its tags",
    ),
    plain(AppConfig, "GetDeployment", &["appconfig:GetDeployment"]),
    plain(AppConfig, "StopDeployment", &["appconfig:StopDeployment"]),
    plain(AppConfig, "TagResource", &["appconfig:TagResource"]),
    plain(AppConfig, "UntagResource", &["appconfig:UntagResource"]),
    // Before the create of a new resource, and after a create whose answer
    // was lost (resources/appconfig/lost_creates.rs): the same-named objects
    // and their creation-token tags.
    plain(
        AppConfig,
        "ListApplications",
        &["appconfig:ListApplications"],
    ),
    plain(
        AppConfig,
        "ListEnvironments",
        &["appconfig:ListEnvironments"],
    ),
    plain(
        AppConfig,
        "ListConfigurationProfiles",
        &["appconfig:ListConfigurationProfiles"],
    ),
    plain(
        AppConfig,
        "ListHostedConfigurationVersions",
        &["appconfig:ListHostedConfigurationVersions"],
    ),
    plain(
        AppConfig,
        "ListDeploymentStrategies",
        &["appconfig:ListDeploymentStrategies"],
    ),
    plain(AppConfig, "ListDeployments", &["appconfig:ListDeployments"]),
    plain(
        AppConfig,
        "ListTagsForResource",
        &["appconfig:ListTagsForResource"],
    ),
    // ---- AWS AppConfig Data (the modelParameters function) ----
    // SAR for AWS AppConfig: both are `appconfig:` actions on the resource
    // type `configuration` (application/<id>/environment/<id>/configuration/<id>).
    plain(
        AppConfigData,
        "StartConfigurationSession",
        &["appconfig:StartConfigurationSession"],
    ),
    plain(
        AppConfigData,
        "GetLatestConfiguration",
        &["appconfig:GetLatestConfiguration"],
    ),
    // ---- AWS STS (the account behind BaseInfra's names) ----
    // STS API Reference, GetCallerIdentity: "No permissions are required to
    // perform this operation. If an administrator attaches a policy to your
    // identity that explicitly denies access to the sts:GetCallerIdentity
    // action, you can still perform this operation."
    because(
        Sts,
        "GetCallerIdentity",
        &[],
        "no permission is required: any identity may ask who it is",
    ),
    // ---- SageMaker Model Registry (sagemaker:ModelPackageGroup) ----
    because(
        SageMaker,
        "CreateModelPackageGroup",
        &["sagemaker:CreateModelPackageGroup", "sagemaker:AddTags"],
        "the group is created with its tags",
    ),
    plain(
        SageMaker,
        "DescribeModelPackageGroup",
        &["sagemaker:DescribeModelPackageGroup"],
    ),
    plain(
        SageMaker,
        "DeleteModelPackageGroup",
        &["sagemaker:DeleteModelPackageGroup"],
    ),
    plain(
        SageMaker,
        "ListModelPackages",
        &["sagemaker:ListModelPackages"],
    ),
    plain(
        SageMaker,
        "DeleteModelPackage",
        &["sagemaker:DeleteModelPackage"],
    ),
    // ---- AWS Step Functions (sfn:StateMachine) ----
    // Step Functions API Reference, CreateStateMachine: the caller passes
    // the state machine's role (iam:PassRole) and tags it at creation.
    because(
        StepFunctions,
        "CreateStateMachine",
        &[
            "states:CreateStateMachine",
            "states:TagResource",
            "iam:PassRole",
        ],
        "Step Functions is handed the state machine's role, and the machine is created with its tags",
    ),
    plain(
        StepFunctions,
        "DescribeStateMachine",
        &["states:DescribeStateMachine"],
    ),
    because(
        StepFunctions,
        "UpdateStateMachine",
        &["states:UpdateStateMachine", "iam:PassRole"],
        "the update hands Step Functions the state machine's role again",
    ),
    plain(
        StepFunctions,
        "DeleteStateMachine",
        &["states:DeleteStateMachine"],
    ),
    plain(StepFunctions, "TagResource", &["states:TagResource"]),
    plain(StepFunctions, "UntagResource", &["states:UntagResource"]),
    // ---- Amazon CloudWatch Logs (logs:LogGroup) ----
    because(
        CloudWatchLogs,
        "CreateLogGroup",
        &["logs:CreateLogGroup", "logs:TagResource"],
        "the log group is created with its tags",
    ),
    plain(
        CloudWatchLogs,
        "PutRetentionPolicy",
        &["logs:PutRetentionPolicy"],
    ),
    plain(
        CloudWatchLogs,
        "DeleteRetentionPolicy",
        &["logs:DeleteRetentionPolicy"],
    ),
    plain(
        CloudWatchLogs,
        "DescribeLogGroups",
        &["logs:DescribeLogGroups"],
    ),
    plain(CloudWatchLogs, "DeleteLogGroup", &["logs:DeleteLogGroup"]),
    plain(CloudWatchLogs, "TagResource", &["logs:TagResource"]),
    plain(CloudWatchLogs, "UntagResource", &["logs:UntagResource"]),
    // ---- Amazon EventBridge (events:Rule) ----
    because(
        EventBridge,
        "PutRule",
        &["events:PutRule", "events:TagResource"],
        "the rule is created with its tags",
    ),
    // EventBridge User Guide, "Permissions for targets": a target with a
    // role needs iam:PassRole on it.
    because(
        EventBridge,
        "PutTargets",
        &["events:PutTargets", "iam:PassRole"],
        "EventBridge is handed the role it starts the state machine with",
    ),
    plain(EventBridge, "DescribeRule", &["events:DescribeRule"]),
    plain(EventBridge, "RemoveTargets", &["events:RemoveTargets"]),
    plain(EventBridge, "DeleteRule", &["events:DeleteRule"]),
    plain(EventBridge, "TagResource", &["events:TagResource"]),
    plain(EventBridge, "UntagResource", &["events:UntagResource"]),
];
