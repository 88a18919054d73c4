//! The deployer policy document, built from [`super::PERMISSIONS`] and
//! [`PLACEMENTS`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::distinct_actions;
use super::placements::{PLACEMENTS, placement_of};

/// An IAM identity-based policy document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    /// The policy language version, `2012-10-17`.
    pub version: &'static str,
    /// The statements, grouped by service.
    pub statement: Vec<Statement>,
}

/// One `Allow` statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    /// The statement's name, for this code and its tests. Not written into
    /// the document: IAM counts every character of a managed policy (6,144
    /// at most, whitespace aside), and the ids would cost about 650 of them.
    #[serde(skip)]
    pub sid: &'static str,
    /// Always `Allow`.
    pub effect: &'static str,
    /// The actions, sorted.
    pub action: Vec<&'static str>,
    /// The resources the actions are granted on.
    pub resource: Resource,
    /// `{ operator: { key: value } }`, when the statement has a condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<BTreeMap<&'static str, BTreeMap<&'static str, ConditionValue>>>,
}

/// A condition key's value: one string, or a list meaning any of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ConditionValue {
    /// A single value.
    One(&'static str),
    /// Several values, any of which matches.
    Many(Vec<&'static str>),
}

/// A statement's `Resource`: one ARN pattern as a string, several as a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Resource {
    /// A single ARN pattern, or `*`.
    One(&'static str),
    /// Several ARN patterns.
    Many(Vec<&'static str>),
}

impl Resource {
    /// The ARN patterns.
    pub fn patterns(&self) -> Vec<&'static str> {
        match self {
            Resource::One(pattern) => vec![pattern],
            Resource::Many(patterns) => patterns.clone(),
        }
    }
}

/// Why the policy could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// An action of the table has no statement to go to.
    #[error("IAM action {0} has no placement in the deployer policy")]
    Unplaced(&'static str),
    /// A placement takes no action of the table.
    #[error("statement {0} of the deployer policy grants no action the provider needs")]
    Unused(&'static str),
}

/// The least-privilege policy for the identity that runs `pulumi up` with
/// this provider: every action of [`super::PERMISSIONS`], once, in the statement
/// [`PLACEMENTS`] gives it.
pub fn deployer_policy() -> Result<PolicyDocument, PolicyError> {
    let mut by_sid: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
    for action in distinct_actions() {
        let placement = placement_of(action).ok_or(PolicyError::Unplaced(action))?;
        by_sid.entry(placement.sid).or_default().insert(action);
    }
    let statement = PLACEMENTS
        .iter()
        .map(|placement| {
            let actions = by_sid
                .remove(placement.sid)
                .ok_or(PolicyError::Unused(placement.sid))?;
            Ok(Statement {
                sid: placement.sid,
                effect: "Allow",
                action: actions.into_iter().collect(),
                resource: match placement.resources {
                    [one] => Resource::One(one),
                    many => Resource::Many(many.to_vec()),
                },
                condition: placement.condition.map(|c| {
                    let value = match c.values {
                        [one] => ConditionValue::One(one),
                        many => ConditionValue::Many(many.to_vec()),
                    };
                    BTreeMap::from([(c.operator, BTreeMap::from([(c.key, value)]))])
                }),
            })
        })
        .collect::<Result<Vec<_>, PolicyError>>()?;
    Ok(PolicyDocument {
        version: "2012-10-17",
        statement,
    })
}

impl PolicyDocument {
    /// The document as indented JSON, as printed by
    /// `--print-deployer-policy`.
    pub fn to_pretty_json(&self) -> String {
        // Plain data of strings, lists and maps: serialization cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Every action the document grants, sorted.
    pub fn actions(&self) -> BTreeSet<&'static str> {
        self.statement
            .iter()
            .flat_map(|s| s.action.iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PolicyDocument {
        deployer_policy().expect("every action is placed and every statement used")
    }

    #[test]
    fn every_action_of_the_table_is_granted_exactly_once() {
        let policy = policy();
        let granted: Vec<&str> = policy
            .statement
            .iter()
            .flat_map(|s| s.action.iter().copied())
            .collect();
        let distinct: BTreeSet<&str> = granted.iter().copied().collect();
        assert_eq!(granted.len(), distinct.len(), "an action is granted twice");
        assert_eq!(distinct, distinct_actions());
    }

    #[test]
    fn pass_role_goes_only_to_the_services_that_take_our_roles() {
        let policy = policy();
        let pass = policy
            .statement
            .iter()
            .find(|s| s.action.contains(&"iam:PassRole"))
            .unwrap();
        assert_eq!(pass.action, ["iam:PassRole"]);
        assert_eq!(
            serde_json::to_value(&pass.condition).unwrap(),
            serde_json::json!({"StringEquals": {"iam:PassedToService": [
                "sagemaker.amazonaws.com",
                "appconfig.amazonaws.com",
                "states.amazonaws.com",
                "events.amazonaws.com"
            ]}})
        );
    }

    #[test]
    fn the_service_linked_role_is_the_sagemaker_autoscaling_one_only() {
        let policy = policy();
        let slr = policy
            .statement
            .iter()
            .find(|s| s.action.contains(&"iam:CreateServiceLinkedRole"))
            .unwrap();
        assert_eq!(
            slr.resource,
            Resource::One(
                "arn:aws:iam::*:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
            )
        );
        assert_eq!(
            serde_json::to_value(&slr.condition).unwrap(),
            serde_json::json!({"StringLike": {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"}})
        );
    }

    #[test]
    fn no_action_is_a_wildcard_and_resources_are_narrowed_where_possible() {
        let policy = policy();
        for statement in &policy.statement {
            for action in &statement.action {
                assert!(!action.contains('*'), "{action}");
            }
            let unscoped = statement.resource == Resource::One("*");
            let may_be_unscoped = statement.action.iter().all(|a| {
                // The Service Authorization Reference lists these without
                // a resource type.
                a.starts_with("application-autoscaling:")
                    || *a == "kms:CreateKey"
                    || *a == "kms:ListKeys"
                    || *a == "kms:ListAliases"
                    || *a == "s3:ListAllMyBuckets"
                    || *a == "appconfig:CreateApplication"
                    || *a == "appconfig:CreateDeploymentStrategy"
                    || *a == "appconfig:ListApplications"
                    || *a == "appconfig:ListDeploymentStrategies"
                    || *a == "sagemaker:ListModelPackages"
                    || *a == "logs:DescribeLogGroups"
            });
            assert!(
                !unscoped || may_be_unscoped,
                "{} grants {:?} on *",
                statement.sid,
                statement.action
            );
            for pattern in statement.resource.patterns() {
                assert!(
                    pattern == "*" || pattern.starts_with("arn:aws:"),
                    "{pattern}"
                );
            }
        }
    }

    #[test]
    fn statement_ids_are_unique_and_valid() {
        let policy = policy();
        let sids: BTreeSet<&str> = policy.statement.iter().map(|s| s.sid).collect();
        assert_eq!(sids.len(), policy.statement.len());
        for sid in sids {
            assert!(sid.chars().all(|c| c.is_ascii_alphanumeric()), "{sid}");
        }
    }

    #[test]
    fn the_document_fits_in_a_customer_managed_policy() {
        // IAM counts a managed policy's size without whitespace: 6,144 characters at most.
        let compact = serde_json::to_string(&policy()).unwrap();
        assert!(compact.len() < 6_144, "{} characters", compact.len());
    }

    #[test]
    fn grants_needed_through_sagemaker_only_are_conditioned_on_it() {
        let policy = policy();
        let grant = policy
            .statement
            .iter()
            .find(|s| s.action.contains(&"kms:CreateGrant"))
            .unwrap();
        assert_eq!(grant.action, ["kms:CreateGrant"]);
        assert_eq!(
            serde_json::to_value(&grant.condition).unwrap(),
            serde_json::json!({"StringLike": {"kms:ViaService": "sagemaker.*.amazonaws.com"}})
        );
    }
}
