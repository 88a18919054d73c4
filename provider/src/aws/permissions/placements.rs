//! Where each IAM action applies: the statements of the deployer policy,
//! grouped by service, each with the resources its actions are narrowed to.
//!
//! Resources are narrowed to the resource type an action acts on (a model,
//! an endpoint, a role, a key...) in any region and account, and to the
//! names AWS fixes (the Application Auto Scaling service-linked role).
//! Names the user chooses (bucket, role, endpoint names) are not narrowed:
//! the resources accept any name. An action the Service Authorization
//! Reference lists without a resource type must be granted on `*`.

/// A condition on a statement: `{ operator: { key: value } }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    /// The condition operator, e.g. `StringEquals`.
    pub operator: &'static str,
    /// The condition key, e.g. `iam:PassedToService`.
    pub key: &'static str,
    /// The values the key may have (any one of them).
    pub values: &'static [&'static str],
}

/// Which actions a placement takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// Exactly these actions.
    Only(&'static [&'static str]),
    /// Every action of this IAM prefix that no `Only` placement takes.
    RestOf(&'static str),
}

/// One statement of the deployer policy, before its actions are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The statement id.
    pub sid: &'static str,
    /// The actions it grants.
    pub actions: Placed,
    /// The resources it grants them on; `["*"]` for all.
    pub resources: &'static [&'static str],
    /// A condition the request must meet, if any.
    pub condition: Option<Condition>,
}

const SAGEMAKER_HOSTING: &[&str] = &[
    "arn:aws:sagemaker:*:*:model/*",
    "arn:aws:sagemaker:*:*:model-package-group/*",
    "arn:aws:sagemaker:*:*:model-package/*",
    "arn:aws:sagemaker:*:*:endpoint-config/*",
    "arn:aws:sagemaker:*:*:endpoint/*",
    "arn:aws:sagemaker:*:*:inference-component/*",
];
const ANY: &[&str] = &["*"];
const ROLES: &[&str] = &["arn:aws:iam::*:role/*"];
const KMS_KEYS: &[&str] = &["arn:aws:kms:*:*:key/*"];

/// The statements, in the order the policy lists them. An action goes to
/// the first `Only` placement naming it, else to the `RestOf` placement of
/// its prefix.
pub const PLACEMENTS: &[Placement] = &[
    Placement {
        sid: "SageMakerModelsConfigsEndpoints",
        actions: Placed::RestOf("sagemaker"),
        resources: SAGEMAKER_HOSTING,
        condition: None,
    },
    // SageMaker Developer Guide, "Amazon SageMaker AI API Permissions":
    // CreateModel needs iam:PassRole; SAR for AWS AppConfig: CreateEnvironment
    // and UpdateEnvironment pass the monitors' alarm role (iam:PassRole with
    // iam:PassedToService appconfig.amazonaws.com); Step Functions API
    // Reference, CreateStateMachine, and EventBridge User Guide, "Permissions
    // for targets": the state machine's and the schedule's roles are passed
    // too; IAM User Guide, "Granting a user permissions to pass a role to an
    // AWS service".
    Placement {
        sid: "PassRolesToSageMakerAppConfigStepFunctionsAndEventBridge",
        actions: Placed::Only(&["iam:PassRole"]),
        resources: ROLES,
        condition: Some(Condition {
            operator: "StringEquals",
            key: "iam:PassedToService",
            values: &[
                "sagemaker.amazonaws.com",
                "appconfig.amazonaws.com",
                "states.amazonaws.com",
                "events.amazonaws.com",
            ],
        }),
    },
    // Application Auto Scaling User Guide, "Service-linked roles" >
    // "Permissions required to create a service-linked role" and
    // "Service-linked role ARN reference".
    Placement {
        sid: "AutoScalingServiceLinkedRoleForSageMaker",
        actions: Placed::Only(&["iam:CreateServiceLinkedRole"]),
        resources: &[
            "arn:aws:iam::*:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
        ],
        condition: Some(Condition {
            operator: "StringLike",
            key: "iam:AWSServiceName",
            values: &["sagemaker.application-autoscaling.amazonaws.com"],
        }),
    },
    // SAR: s3:ListAllMyBuckets has no resource type.
    Placement {
        sid: "ListBuckets",
        actions: Placed::Only(&["s3:ListAllMyBuckets"]),
        resources: ANY,
        condition: None,
    },
    Placement {
        sid: "Buckets",
        actions: Placed::RestOf("s3"),
        resources: &["arn:aws:s3:::*"],
        condition: None,
    },
    // SAR: kms:CreateKey, kms:ListKeys and kms:ListAliases have no resource
    // type.
    Placement {
        sid: "KmsCreateAndListKeysAndAliases",
        actions: Placed::Only(&["kms:CreateKey", "kms:ListKeys", "kms:ListAliases"]),
        resources: ANY,
        condition: None,
    },
    // Only through SageMaker: the grants SageMaker creates on a customer
    // managed key for an endpoint (kms:ViaService as in the AWS managed
    // policy SageMakerStudioProjectRoleMachineLearningPolicy).
    Placement {
        sid: "KmsGrantsThroughSageMaker",
        actions: Placed::Only(&["kms:CreateGrant"]),
        resources: KMS_KEYS,
        condition: Some(Condition {
            operator: "StringLike",
            key: "kms:ViaService",
            values: &["sagemaker.*.amazonaws.com"],
        }),
    },
    // SAR: CreateAlias and DeleteAlias are authorized on the alias and on its
    // key; KMS Developer Guide: tagging at CreateKey needs kms:TagResource on
    // all keys of the account and region (key/* covers them).
    Placement {
        sid: "KmsKeysAndAliases",
        actions: Placed::RestOf("kms"),
        resources: &["arn:aws:kms:*:*:key/*", "arn:aws:kms:*:*:alias/*"],
        condition: None,
    },
    Placement {
        sid: "Roles",
        actions: Placed::RestOf("iam"),
        resources: ROLES,
        condition: None,
    },
    // Scalable targets are named by a generated id, not the endpoint; the
    // Describe actions have no resource type.
    Placement {
        sid: "ApplicationAutoScaling",
        actions: Placed::RestOf("application-autoscaling"),
        resources: ANY,
        condition: None,
    },
    Placement {
        sid: "Topics",
        actions: Placed::RestOf("sns"),
        resources: &["arn:aws:sns:*:*:*"],
        condition: None,
    },
    // SAR: sagemaker:ListModelPackages has no resource type.
    Placement {
        sid: "SageMakerListModelVersions",
        actions: Placed::Only(&["sagemaker:ListModelPackages"]),
        resources: ANY,
        condition: None,
    },
    Placement {
        sid: "StateMachines",
        actions: Placed::RestOf("states"),
        resources: &["arn:aws:states:*:*:stateMachine:*"],
        condition: None,
    },
    // SAR: logs:DescribeLogGroups has no resource type.
    Placement {
        sid: "LogGroupsList",
        actions: Placed::Only(&["logs:DescribeLogGroups"]),
        resources: ANY,
        condition: None,
    },
    Placement {
        sid: "LogGroups",
        actions: Placed::RestOf("logs"),
        resources: &["arn:aws:logs:*:*:log-group:*"],
        condition: None,
    },
    Placement {
        sid: "ScheduleRules",
        actions: Placed::RestOf("events"),
        resources: &["arn:aws:events:*:*:rule/*"],
        condition: None,
    },
    // SAR for AWS AppConfig: CreateApplication, CreateDeploymentStrategy,
    // ListApplications and ListDeploymentStrategies have no resource type,
    // so they are granted on `*`.
    Placement {
        sid: "AppConfigCreateApplicationsAndStrategies",
        actions: Placed::Only(&[
            "appconfig:CreateApplication",
            "appconfig:CreateDeploymentStrategy",
            "appconfig:ListApplications",
            "appconfig:ListDeploymentStrategies",
        ]),
        resources: ANY,
        condition: None,
    },
    // SAR for AWS AppConfig, resource types `application`, `environment`,
    // `configurationprofile`, `hostedconfigurationversion`, `deployment`
    // (all under `application/<id>`) and `deploymentstrategy`.
    Placement {
        sid: "AppConfig",
        actions: Placed::RestOf("appconfig"),
        resources: &[
            "arn:aws:appconfig:*:*:application/*",
            "arn:aws:appconfig:*:*:deploymentstrategy/*",
        ],
        condition: None,
    },
    Placement {
        sid: "Alarms",
        actions: Placed::RestOf("cloudwatch"),
        resources: &["arn:aws:cloudwatch:*:*:alarm:*"],
        condition: None,
    },
];

impl Placement {
    /// True when this placement takes `action`.
    pub fn takes(&self, action: &str) -> bool {
        match self.actions {
            Placed::Only(actions) => actions.contains(&action),
            Placed::RestOf(prefix) => {
                action.split_once(':').map(|(p, _)| p) == Some(prefix)
                    && !PLACEMENTS.iter().any(|placement| {
                        matches!(placement.actions, Placed::Only(only) if only.contains(&action))
                    })
            }
        }
    }
}

/// The placement of `action`: the first that takes it.
pub(super) fn placement_of(action: &str) -> Option<&'static Placement> {
    PLACEMENTS.iter().find(|placement| placement.takes(action))
}
