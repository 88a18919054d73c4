//! `sagemaker-deployment:index:Workflow`: the seed's WorkflowStack. A Step
//! Functions state machine that retrains a model, evaluates it against a
//! threshold, registers the version in a model package group (approved or
//! rejected) and, with `autoDeploy`, rolls it out to the endpoint with a
//! verified update; optionally started on a schedule.
//!
//! `definition` builds the state machine document, `policy` the roles'
//! policies, `args` checks the arguments; this module registers the
//! children.

mod args;
pub mod definition;
mod policy;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Serialize;

pub use self::args::{EvaluationArgs, TrainingArgs, WorkflowArgs};
use self::definition::WorkflowPlan;
use self::policy::{RoleScope, schedule_policy, state_machine_policy, trust_policy};
use crate::Scope;
use crate::naming::short_hash;
use crate::resources::sagemaker::model_package_group::{
    ModelPackageGroup, ModelPackageGroupInputs,
};
use crate::resources::{events, iam, logs, sfn};
use framework::{ChildOptions, Component, Failures, Output, Result};

/// What Workflow made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowOutputs {
    /// ARN of the state machine: start an execution of it to retrain.
    pub state_machine_arn: Output<String>,
    /// Name of the state machine.
    pub state_machine_name: Output<String>,
    /// Name of the model package group the versions are registered in.
    pub model_package_group_name: Output<String>,
    /// ARN of the model package group.
    pub model_package_group_arn: Output<String>,
    /// Name of the log group the executions are logged to.
    pub log_group_name: Output<String>,
    /// ARN of the state machine's role.
    pub role_arn: Output<String>,
    /// The threshold the metric is held to.
    pub threshold: f64,
    /// Prefix of the training jobs, models and endpoint configurations an
    /// execution creates (`<prefix>-wf-<UUID>`).
    pub name_prefix: String,
    /// ARN of the schedule rule, when there is a schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_rule_arn: Option<Output<String>>,
}

/// The Workflow component.
pub struct Workflow;

/// The hash in the names of a Workflow's account-wide objects (IAM role,
/// state machine, log group): they are per account and region, so the
/// hash keeps two stacks or programs apart.
fn names_hash(scope: &Scope, account: &str, region: &str, name: &str, base: &str) -> String {
    short_hash(
        &format!(
            "{account}/{region}/{}/{}/{name}/{base}",
            scope.project, scope.stack
        ),
        8,
    )
}

fn state_machine_name(base: &str, hash: &str) -> String {
    format!("{base}-retrain-{hash}")
}

/// The ARN the state machine of the Workflow `name` (with `workflowName`
/// `base`) will have in `account` and `region`, known before it is built:
/// a dashboard registered earlier can show its executions.
pub fn planned_state_machine_arn(
    scope: &Scope,
    account: &str,
    region: &str,
    name: &str,
    base: &str,
) -> String {
    let hash = names_hash(scope, account, region, name, base);
    format!(
        "arn:{}:states:{region}:{account}:stateMachine:{}",
        crate::naming::partition_of(region),
        state_machine_name(base, &hash)
    )
}

#[async_trait]
impl Component for Workflow {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:Workflow";

    type Inputs = WorkflowArgs;
    type Outputs = WorkflowOutputs;

    fn check(&self, args: &WorkflowArgs) -> Failures {
        args::check(args)
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: WorkflowArgs,
    ) -> Result<WorkflowOutputs> {
        let clients = scope.clients()?;
        let account = clients.account_id().await?;
        let region = clients.region.clone();
        let base = args.workflow_name.clone();
        let hash = names_hash(scope, &account, &region, name, &base);
        let threshold = args
            .threshold()
            .expect("check makes sure a threshold is known");
        let group_name = args.group_name();

        let group = scope
            .resource::<ModelPackageGroup>(
                &format!("{name}-models"),
                &ModelPackageGroupInputs {
                    model_package_group_name: group_name.clone(),
                    description: format!("Model versions trained by workflow {base}"),
                    tags: args.tags.clone(),
                },
                ChildOptions::default(),
            )
            .await?;
        let log_group = scope
            .resource::<logs::LogGroup>(
                &format!("{name}-logs"),
                &logs::LogGroupInputs {
                    log_group_name: format!("/aws/vendedlogs/states/{base}-{hash}"),
                    retention_in_days: Some(args.log_retention_in_days),
                    tags: args.tags.clone(),
                },
                ChildOptions::default(),
            )
            .await?;

        let endpoint_name = args.endpoint_name.clone().filter(|_| args.auto_deploy);
        let policy = {
            let (region, account, base, group) = (
                region.clone(),
                account.clone(),
                base.clone(),
                group_name.clone(),
            );
            args.execution_role_arn
                .clone()
                .zip(optional(endpoint_name.clone()))
                .map(move |(role, endpoint)| {
                    state_machine_policy(&RoleScope {
                        region: &region,
                        account: &account,
                        name_base: &base,
                        execution_role_arn: &role,
                        model_package_group_name: &group,
                        endpoint_name: endpoint.as_deref(),
                    })
                })
        };
        let role = scope
            .resource::<iam::Role>(
                &format!("{name}-role"),
                &iam::RoleInputs {
                    role_name: format!("{base}-sfn-{hash}"),
                    assume_role_policy: trust_policy("states.amazonaws.com"),
                    description: format!("Runs the retraining workflow {base}"),
                    inline_policies: [("workflow".to_owned(), policy)].into(),
                    tags: args.tags.clone(),
                },
                ChildOptions::default(),
            )
            .await?;

        let plan = plan_output(&args, threshold, &group_name, endpoint_name);
        let definition = plan.map(|plan| definition::definition(&plan).to_string());
        let machine = scope
            .resource::<sfn::StateMachine>(
                &format!("{name}-state-machine"),
                &sfn::StateMachineInputs {
                    state_machine_name: state_machine_name(&base, &hash),
                    definition,
                    role_arn: role.output("arn"),
                    log_group_arn: log_group.output("arn"),
                    tags: args.tags.clone(),
                },
                ChildOptions {
                    depends_on: vec![group.urn.clone()],
                    ..Default::default()
                },
            )
            .await?;

        let schedule_rule_arn = match &args.schedule_expression {
            None => None,
            Some(expression) => {
                let machine_arn: Output<String> = machine.output("arn");
                let schedule_role = scope
                    .resource::<iam::Role>(
                        &format!("{name}-schedule-role"),
                        &iam::RoleInputs {
                            role_name: format!("{base}-schedule-{hash}"),
                            assume_role_policy: trust_policy("events.amazonaws.com"),
                            description: format!("Starts the retraining workflow {base}"),
                            inline_policies: [(
                                "start-workflow".to_owned(),
                                machine_arn.clone().map(|arn| schedule_policy(&arn)),
                            )]
                            .into(),
                            tags: args.tags.clone(),
                        },
                        ChildOptions::default(),
                    )
                    .await?;
                let rule = scope
                    .resource::<events::Rule>(
                        &format!("{name}-schedule"),
                        &events::RuleInputs {
                            rule_name: format!("{base}-retrain-{hash}"),
                            schedule_expression: expression.clone(),
                            description: format!("Retrains with workflow {base}"),
                            enabled: true,
                            target_arn: machine_arn,
                            target_role_arn: schedule_role.output("arn"),
                            tags: args.tags.clone(),
                        },
                        ChildOptions::default(),
                    )
                    .await?;
                Some(rule.output("arn"))
            }
        };

        Ok(WorkflowOutputs {
            state_machine_arn: machine.output("arn"),
            state_machine_name: machine.output("stateMachineName"),
            model_package_group_name: group.output("modelPackageGroupName"),
            model_package_group_arn: group.output("arn"),
            log_group_name: log_group.output("logGroupName"),
            role_arn: role.output("arn"),
            threshold,
            name_prefix: base,
            schedule_rule_arn,
        })
    }
}

/// An optional output as an output of an option: known when absent.
fn optional(value: Option<Output<String>>) -> Output<Option<String>> {
    match value {
        Some(output) => output.map(Some),
        None => Output::new(None),
    }
}

/// The workflow plan, once the role, models, key and endpoint are known.
fn plan_output(
    args: &WorkflowArgs,
    threshold: f64,
    group_name: &str,
    endpoint_name: Option<Output<String>>,
) -> Output<WorkflowPlan> {
    let args = args.clone();
    let group_name = group_name.to_owned();
    let model_names = if endpoint_name.is_some() {
        args.model_names.clone().unwrap_or_else(Output::unknown)
    } else {
        Output::new(Vec::new())
    };
    let kms = optional(args.kms_key_arn.clone());
    args.execution_role_arn
        .clone()
        .zip(optional(endpoint_name))
        .zip(model_names.zip(kms))
        .map(move |((role, endpoint), (model_names, kms))| WorkflowPlan {
            name_base: args.workflow_name.clone(),
            execution_role_arn: role,
            training: args.training.plan(),
            evaluation: args.evaluation.plan(threshold),
            model_package_group_name: group_name,
            deployment: endpoint
                .map(|endpoint_name| args.deployment_plan(endpoint_name, &model_names, kms)),
        })
}
