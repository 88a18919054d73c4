//! A rollout whose rollback alarms SageMaker may not read.
//!
//! SageMaker reads the alarms of `DeploymentConfig.AutoRollbackConfiguration`
//! with the models' execution role: "Ensure that your IAM execution role
//! has permission to perform the cloudwatch:DescribeAlarms action on the
//! auto-rollback alarms you specify" (Developer Guide, "Auto-Rollback
//! Configuration and Monitoring"). Its refusal is turned into an error that
//! says what to grant, and how the endpoint components grant it.

use framework::ProviderError;

use crate::aws::{AwsError, AwsErrorKind, Service};

/// The IAM action SageMaker needs on each rollback alarm.
const DESCRIBE_ALARMS: &str = "cloudwatch:DescribeAlarms";

/// True when SageMaker refused a deployment because the execution role may
/// not describe a rollback alarm: a request error naming the action.
pub(super) fn alarms_unreadable(error: &AwsError) -> bool {
    error.service == Service::SageMaker
        && matches!(
            error.kind,
            AwsErrorKind::Validation | AwsErrorKind::AccessDenied
        )
        && error.message.contains(DESCRIBE_ALARMS)
}

/// SageMaker refused to deploy endpoint `endpoint` with rollback alarms its
/// execution role may not read.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{error}. The rollout of endpoint {endpoint} is rolled back by the alarms {}, which SageMaker \
     reads with the models' execution role: it needs {DESCRIBE_ALARMS} on them. Pass the role's \
     name to the endpoint component as `executionRoleName` (BaseInfra's `executionRoleName`) to \
     have it granted on exactly those alarms, or grant it to the role yourself; then deploy again.",
    alarms.join(", ")
)]
pub struct RollbackAlarmsUnreadable {
    /// The endpoint.
    pub endpoint: String,
    /// The alarms the rollout watches.
    pub alarms: Vec<String>,
    /// SageMaker's refusal.
    pub error: AwsError,
}

impl From<RollbackAlarmsUnreadable> for ProviderError {
    fn from(error: RollbackAlarmsUnreadable) -> Self {
        ProviderError::failed(error.to_string())
    }
}

/// `error` with the advice above when it is SageMaker's refusal to read
/// the rollback alarms `alarms` of endpoint `endpoint`; else unchanged.
pub(super) fn explain_refusal(error: AwsError, endpoint: &str, alarms: &[String]) -> ProviderError {
    if alarms_unreadable(&error) {
        RollbackAlarmsUnreadable {
            endpoint: endpoint.to_owned(),
            alarms: alarms.to_vec(),
            error,
        }
        .into()
    } else {
        error.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(operation: &'static str, kind: AwsErrorKind, message: &str) -> AwsError {
        AwsError {
            service: Service::SageMaker,
            operation,
            kind,
            code: Some("ValidationException".into()),
            message: message.into(),
            attempts: Some(1),
            unanswered: 0,
        }
    }

    const UNREADABLE: &str = "The provided role 'arn:aws:iam::1:role/r' is invalid. Please ensure the \
        role exists, that its trust relationship policy allows the action \"sts:AssumeRole\" for the \
        service principal \"sagemaker.amazonaws.com\", and has \"cloudwatch:DescribeAlarms\" \
        permissions for alarm \"arn:aws:cloudwatch:us-east-1:1:alarm:fraud-5xx\".";

    #[test]
    fn a_refusal_naming_describe_alarms_says_what_to_grant() {
        let alarms = vec!["fraud-5xx".to_owned()];
        let error = refusal("UpdateEndpoint", AwsErrorKind::Validation, UNREADABLE);
        let message = explain_refusal(error, "fraud", &alarms).to_string();
        assert!(message.contains(UNREADABLE), "{message}");
        assert!(
            message.contains("rolled back by the alarms fraud-5xx"),
            "{message}"
        );
        assert!(
            message.contains("as `executionRoleName` (BaseInfra's `executionRoleName`)"),
            "{message}"
        );
    }

    #[test]
    fn other_refusals_are_left_as_they_are() {
        let alarms = vec!["fraud-5xx".to_owned()];
        for message in [
            "CanarySize must be less than or equal to 50% of the variant's total instance count",
            "Could not find model \"arn:aws:sagemaker:us-east-1:1:model/m\".",
        ] {
            let error = refusal("CreateEndpoint", AwsErrorKind::Validation, message);
            assert!(!alarms_unreadable(&error));
            let explained = explain_refusal(error, "fraud", &alarms).to_string();
            assert!(!explained.contains("executionRoleName"), "{explained}");
        }
    }
}
