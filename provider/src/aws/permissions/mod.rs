//! The IAM permissions the identity that runs `pulumi up` needs.
//!
//! Every AWS call the provider makes is labelled `.aws(Service::X,
//! "Operation")`. [`PERMISSIONS`] says, for each such (service, operation),
//! which IAM actions AWS checks: the action of the same name, a differently
//! named one (S3's `HeadBucket` is authorized as `s3:ListBucket`), and the
//! actions no call names but a call needs (`iam:PassRole` when SageMaker is
//! handed the execution role, tagging actions when tags are given at
//! creation). [`deployer_policy`] turns the table into an IAM policy
//! document, with each action placed by [`PLACEMENTS`] on the resources it
//! can be narrowed to.
//!
//! A test scans the provider's sources and fails when a call is missing
//! from the table or a row is no longer called.

mod placements;
mod policy;
mod table;

pub use placements::{Condition, PLACEMENTS, Placed, Placement};
pub use policy::{PolicyDocument, PolicyError, Resource, Statement, deployer_policy};
pub use table::PERMISSIONS;

use std::collections::BTreeSet;

use super::Service;

/// One AWS API operation the provider calls, and the IAM actions it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The service called.
    pub service: Service,
    /// The API operation, as labelled at the call, e.g. `PutBucketEncryption`.
    pub operation: &'static str,
    /// The IAM actions (`prefix:Action`) AWS checks for this call.
    pub actions: &'static [&'static str],
    /// Why the actions are not just the operation's own name; empty when
    /// they are.
    pub reason: &'static str,
}

impl Permission {
    /// A row whose single action is the operation's own name.
    pub(crate) const fn plain(
        service: Service,
        operation: &'static str,
        actions: &'static [&'static str],
    ) -> Self {
        Permission {
            service,
            operation,
            actions,
            reason: "",
        }
    }

    /// A row whose actions differ from the operation's name, with why.
    pub(crate) const fn because(
        service: Service,
        operation: &'static str,
        actions: &'static [&'static str],
        reason: &'static str,
    ) -> Self {
        Permission {
            service,
            operation,
            actions,
            reason,
        }
    }
}

/// The row for `service`'s `operation`, if the table has one.
pub fn lookup(service: Service, operation: &str) -> Option<&'static Permission> {
    PERMISSIONS
        .iter()
        .find(|row| row.service == service && row.operation == operation)
}

/// Every IAM action the table lists, each once, sorted.
pub fn distinct_actions() -> BTreeSet<&'static str> {
    PERMISSIONS
        .iter()
        .flat_map(|row| row.actions.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn each_operation_has_one_row() {
        let mut seen = BTreeSet::new();
        for row in PERMISSIONS {
            assert!(
                seen.insert((row.service, row.operation)),
                "{} {} has two rows",
                row.service,
                row.operation
            );
        }
    }

    #[test]
    fn actions_are_prefixed_and_named_like_iam_actions() {
        let prefixes: BTreeSet<&str> = Service::ALL.iter().map(|s| s.iam_prefix()).collect();
        for row in PERMISSIONS {
            assert!(
                !row.actions.is_empty() || !row.reason.is_empty(),
                "{} {}: no action needs a reason",
                row.service,
                row.operation
            );
            for action in row.actions {
                let (prefix, name) = action.split_once(':').unwrap_or_default();
                assert!(prefixes.contains(prefix), "{action}: unknown prefix");
                assert!(
                    name.starts_with(|c: char| c.is_ascii_uppercase())
                        && name.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{action}: not an IAM action name"
                );
            }
        }
    }

    #[test]
    fn a_row_lists_its_own_service_action_first_and_explains_any_other() {
        for row in PERMISSIONS {
            let own = format!("{}:{}", row.service.iam_prefix(), row.operation);
            let Some(first) = row.actions.first() else {
                continue;
            };
            assert!(
                first.starts_with(&format!("{}:", row.service.iam_prefix())),
                "{} {}: the first action should be the call's own service",
                row.service,
                row.operation
            );
            let obvious = row.actions == [own.as_str()];
            assert_eq!(
                row.reason.is_empty(),
                obvious,
                "{} {}: a reason is needed exactly when the actions are not just {own}",
                row.service,
                row.operation
            );
        }
    }

    #[test]
    fn renamed_operations_map_to_their_documented_actions() {
        let actions = |service, operation| lookup(service, operation).unwrap().actions;
        assert_eq!(
            actions(Service::S3, "PutBucketEncryption"),
            ["s3:PutEncryptionConfiguration"]
        );
        assert_eq!(
            actions(Service::S3, "GetBucketEncryption"),
            ["s3:GetEncryptionConfiguration"]
        );
        assert_eq!(actions(Service::S3, "HeadBucket"), ["s3:ListBucket"]);
        assert_eq!(
            actions(Service::S3, "PutPublicAccessBlock"),
            ["s3:PutBucketPublicAccessBlock"]
        );
        assert_eq!(
            actions(Service::SageMaker, "UpdateEndpointWeightsAndCapacities"),
            ["sagemaker:UpdateEndpointWeightsAndCapacities"]
        );
        assert!(actions(Service::SageMaker, "CreateModel").contains(&"iam:PassRole"));
        assert!(
            actions(Service::ApplicationAutoScaling, "RegisterScalableTarget")
                .contains(&"iam:CreateServiceLinkedRole")
        );
    }
}
