//! The state machine role's policies: it may pass only the execution role,
//! to SageMaker only, and touch only this workflow's SageMaker objects (by
//! name prefix), its model package group and its endpoint.
//!
//! Sources: Step Functions Developer Guide, "IAM policies for calling
//! SageMaker AI" (a `.sync` training job needs `events:PutTargets`,
//! `events:PutRule` and `events:DescribeRule` on the managed rule
//! `StepFunctionsGetEventsForSageMakerTrainingJobsRule`), and "Using
//! CloudWatch Logs to log execution history" (the log delivery actions,
//! which have no resource type and take `*`); IAM User Guide, "Granting a
//! user permissions to pass a role to an AWS service" (`iam:PassedToService`).

use serde_json::{Value, json};

use super::definition::WORKFLOW_MARK;

/// Where the workflow's role applies.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleScope<'a> {
    /// The region.
    pub region: &'a str,
    /// The account.
    pub account: &'a str,
    /// Prefix of the names an execution gives its objects.
    pub name_base: &'a str,
    /// The execution role the training job and models use.
    pub execution_role_arn: &'a str,
    /// The model package group.
    pub model_package_group_name: &'a str,
    /// The endpoint it deploys to, when it deploys.
    pub endpoint_name: Option<&'a str>,
}

/// The trust policy of a role a service principal assumes.
pub fn trust_policy(service: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole"
        }]
    })
    .to_string()
}

/// The state machine role's policy.
pub fn state_machine_policy(scope: &RoleScope<'_>) -> String {
    let sagemaker = |kind: &str, name: &str| {
        format!(
            "arn:aws:sagemaker:{}:{}:{kind}/{name}",
            scope.region, scope.account
        )
    };
    let own = format!("{}{WORKFLOW_MARK}*", scope.name_base);
    let mut statements = vec![
        json!({
            "Sid": "PassOnlyTheExecutionRoleToSageMaker",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": scope.execution_role_arn,
            "Condition": { "StringEquals": { "iam:PassedToService": "sagemaker.amazonaws.com" } }
        }),
        json!({
            "Sid": "TrainThisWorkflowsJobs",
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:AddTags"
            ],
            "Resource": sagemaker("training-job", &own)
        }),
        json!({
            "Sid": "WaitForTrainingJobs",
            "Effect": "Allow",
            "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            "Resource": format!(
                "arn:aws:events:{}:{}:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule",
                scope.region, scope.account
            )
        }),
        json!({
            "Sid": "RegisterVersions",
            "Effect": "Allow",
            "Action": ["sagemaker:CreateModelPackage", "sagemaker:AddTags"],
            "Resource": [
                sagemaker("model-package-group", scope.model_package_group_name),
                sagemaker("model-package", &format!("{}/*", scope.model_package_group_name))
            ]
        }),
        // The log delivery actions have no resource type: `*` (Service
        // Authorization Reference, Amazon CloudWatch Logs).
        json!({
            "Sid": "DeliverExecutionLogs",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries"
            ],
            "Resource": "*"
        }),
        // The log group's resource policy: on the account's log groups, with
        // a wildcard log group name rather than one name (CloudWatch Logs
        // User Guide, "Logs sent to CloudWatch Logs", User permissions).
        json!({
            "Sid": "LetLogsReachTheLogGroup",
            "Effect": "Allow",
            "Action": [
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups"
            ],
            "Resource": format!("arn:aws:logs:{}:{}:log-group:*", scope.region, scope.account)
        }),
    ];
    if let Some(endpoint) = scope.endpoint_name {
        statements.push(json!({
            "Sid": "CreateThisWorkflowsModelsAndConfigs",
            "Effect": "Allow",
            "Action": ["sagemaker:CreateModel", "sagemaker:CreateEndpointConfig", "sagemaker:AddTags"],
            "Resource": [sagemaker("model", &own), sagemaker("endpoint-config", &own)]
        }));
        // SageMaker checks UpdateEndpoint on the endpoint and on the new
        // configuration (API Reference, UpdateEndpoint).
        // The configuration the endpoint runs is read to carry its
        // asynchronous inference and data capture settings over: the
        // program's (`<endpoint>-config-*`) or an earlier execution's.
        statements.push(json!({
            "Sid": "ReadTheRunningConfig",
            "Effect": "Allow",
            "Action": "sagemaker:DescribeEndpointConfig",
            "Resource": [
                sagemaker("endpoint-config", &format!("{endpoint}-config-*")),
                sagemaker("endpoint-config", &own)
            ]
        }));
        // Once the new version is verified, the configuration and model of
        // the version it replaced, when this workflow made them.
        statements.push(json!({
            "Sid": "DeleteThisWorkflowsReplacedVersion",
            "Effect": "Allow",
            "Action": ["sagemaker:DeleteEndpointConfig", "sagemaker:DeleteModel"],
            "Resource": [sagemaker("endpoint-config", &own), sagemaker("model", &own)]
        }));
        statements.push(json!({
            "Sid": "UpdateOnlyThisEndpoint",
            "Effect": "Allow",
            "Action": ["sagemaker:UpdateEndpoint", "sagemaker:DescribeEndpoint"],
            "Resource": [sagemaker("endpoint", endpoint), sagemaker("endpoint-config", &own)]
        }));
    }
    Value::Object(
        [
            ("Version".to_owned(), json!("2012-10-17")),
            ("Statement".to_owned(), Value::Array(statements)),
        ]
        .into_iter()
        .collect(),
    )
    .to_string()
}

/// The schedule role's policy: start executions of one state machine.
pub fn schedule_policy(state_machine_arn: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "StartThisStateMachine",
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": state_machine_arn
        }]
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(endpoint: Option<&'static str>) -> RoleScope<'static> {
        RoleScope {
            region: "us-east-1",
            account: "123456789012",
            name_base: "fraud",
            execution_role_arn: "arn:aws:iam::123456789012:role/exec",
            model_package_group_name: "fraud-models",
            endpoint_name: endpoint,
        }
    }

    fn statements(policy: &str) -> Vec<Value> {
        serde_json::from_str::<Value>(policy).unwrap()["Statement"]
            .as_array()
            .unwrap()
            .clone()
    }

    #[test]
    fn only_the_execution_role_is_passed_and_only_to_sagemaker() {
        let all = statements(&state_machine_policy(&scope(Some("fraud-endpoint"))));
        let passing: Vec<&Value> = all
            .iter()
            .filter(|s| s.to_string().contains("iam:PassRole"))
            .collect();
        assert_eq!(passing.len(), 1);
        assert_eq!(
            passing[0]["Resource"],
            "arn:aws:iam::123456789012:role/exec"
        );
        assert_eq!(
            passing[0]["Condition"]["StringEquals"]["iam:PassedToService"],
            "sagemaker.amazonaws.com"
        );
    }

    #[test]
    fn sagemaker_actions_are_limited_to_this_workflows_objects() {
        for statement in statements(&state_machine_policy(&scope(Some("fraud-endpoint")))) {
            if !statement.to_string().contains("\"sagemaker:") {
                continue;
            }
            let resources: Vec<String> = match &statement["Resource"] {
                Value::String(one) => vec![one.clone()],
                many => many
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned())
                    .collect(),
            };
            for resource in resources {
                let name = resource.rsplit_once('/').unwrap().1;
                let allowed = name == "fraud-wf-*"
                    || name == "fraud-endpoint"
                    // Read only: the program's configurations of the endpoint.
                    || (name == "fraud-endpoint-config-*"
                        && statement["Action"] == "sagemaker:DescribeEndpointConfig")
                    || name == "fraud-models"
                    || resource.ends_with("model-package/fraud-models/*");
                assert!(allowed, "{resource}");
                assert!(resource.starts_with("arn:aws:sagemaker:us-east-1:123456789012:"));
            }
        }
    }

    #[test]
    fn only_the_log_delivery_actions_are_granted_on_every_resource() {
        let all = statements(&state_machine_policy(&scope(Some("fraud-endpoint"))));
        let on_everything: Vec<&Value> = all.iter().filter(|s| s["Resource"] == "*").collect();
        assert_eq!(on_everything.len(), 1);
        assert_eq!(
            on_everything[0]["Action"],
            json!([
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries"
            ])
        );
        let log_groups = all
            .iter()
            .find(|s| s["Sid"] == "LetLogsReachTheLogGroup")
            .unwrap();
        assert_eq!(
            log_groups["Resource"],
            "arn:aws:logs:us-east-1:123456789012:log-group:*"
        );
    }

    #[test]
    fn the_sync_rule_is_the_managed_training_job_rule() {
        let all = statements(&state_machine_policy(&scope(None)));
        let rule = all
            .iter()
            .find(|s| s["Sid"] == "WaitForTrainingJobs")
            .unwrap();
        assert_eq!(
            rule["Resource"],
            "arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"
        );
        assert!(
            !all.iter().any(|s| s.to_string().contains("UpdateEndpoint")),
            "no endpoint without autoDeploy"
        );
    }
}
