//! `sagemaker-deployment:index:MonitorDashboard`: the seed's
//! MonitorDashboardStack: a CloudWatch dashboard of one endpoint, its
//! alarms, an SNS topic they notify, and the alarms its rollouts watch.
//!
//! How the alarms guard rollouts, with one alarm per purpose: the
//! dashboard is registered before the endpoint, and the endpoint
//! component's `rollout.rollbackAlarmNames` takes this component's
//! `rollbackAlarmNames`. An endpoint component given alarm names creates
//! no 5xx alarm of its own, and grants the execution role
//! `cloudwatch:DescribeAlarms` on exactly the alarms named.
//!
//! The AppConfig environment's monitors are the composite "unhealthy"
//! alarm (`appConfigMonitorArns`): AppConfig rolls a deployment back when a
//! monitor is in `ALARM` *or* `INSUFFICIENT_DATA` (AppConfig User Guide,
//! "Monitoring deployments for automatic rollback"), and a metric alarm of
//! an idle endpoint, or one just created, has no data; the composite
//! alarm's rule only asks whether one of them is in `ALARM`, so it stays
//! `OK` then. One composite alarm is also one monitor of the five an
//! environment takes, whatever the number of variants.

mod alarms;
mod body;
mod metrics;

use std::collections::BTreeMap;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::endpoint_checks::check_endpoint;
use super::inference_component_endpoint::component_name;
use super::model_config::{ModelSpec, ServerlessSettings, check_models};
use crate::Scope;
use crate::naming::sagemaker_name_problem;
use crate::resources::Tags;
use crate::resources::cloudwatch::{
    CompositeAlarm, CompositeAlarmInputs, Dashboard, DashboardInputs, MetricAlarm,
    dashboard_name_problem,
};
use crate::resources::sagemaker::variant_rules::EndpointKind;
use crate::resources::sns::{Subscription, SubscriptionInputs, Topic, TopicInputs};
use framework::{Child, ChildOptions, Component, Failures, Output, Result};

pub use alarms::AlarmThresholds;
use alarms::{Watched, plan_alarms, rollback_alarms, unhealthy_alarm_name, unhealthy_rule};
use body::{AppConfigView, ComponentView, EndpointView, VariantView, dashboard_body};

/// The kind of endpoint watched (the seed's `inferenceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InferenceType {
    /// A real-time endpoint (SageMakerEndpoint).
    Realtime,
    /// An asynchronous endpoint (SageMakerAsyncEndpoint).
    Async,
    /// A serverless endpoint (SageMakerServerlessEndpoint).
    Serverless,
    /// An endpoint hosting one inference component per `modelList` entry
    /// (SageMakerInferenceComponentEndpoint): graphs and alarms per
    /// component.
    Components,
}

impl InferenceType {
    fn kind(self) -> EndpointKind {
        match self {
            InferenceType::Realtime | InferenceType::Components => EndpointKind::RealTime,
            InferenceType::Async => EndpointKind::Async,
            InferenceType::Serverless => EndpointKind::Serverless,
        }
    }
}

/// A CloudWatch dashboard of one endpoint with the metrics of its kind per
/// variant (per inference component, named `<endpointName>-<VariantName>`,
/// on an endpoint hosting them), default alarms (server errors, p99 model
/// latency, memory saturation per variant or component; the queue's oldest
/// request for asynchronous endpoints) that an idle endpoint does not trip, a composite "endpoint
/// unhealthy" alarm that notifies an SNS topic (with optional e-mail
/// subscriptions), and the alarm names a blue/green rollout of the endpoint
/// watches. Register it before the endpoint and pass its
/// `rollbackAlarmNames` as the endpoint's `rollout.rollbackAlarmNames`: the
/// endpoint then makes no alarm of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorDashboardArgs {
    /// The endpoint watched (the seed's `sageMakerEndpointName`).
    pub endpoint_name: String,
    /// `realtime`, `async`, `serverless` or `components` (the seed's
    /// `inferenceType`).
    pub inference_type: InferenceType,
    /// The endpoint's variants, or its inference components (the seed's
    /// `modelList`).
    pub model_list: Vec<ModelSpec>,
    /// The dashboard name (default `<endpointName>-dashboard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard_name: Option<String>,
    /// Alarm thresholds; each has a default.
    #[serde(default)]
    pub alarms: AlarmThresholds,
    /// E-mail addresses subscribed to the alarm topic; each gets a
    /// confirmation message first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_emails: Vec<String>,
    /// Whether the asynchronous endpoint notifies its success and error
    /// topics (SageMakerAsyncEndpoint's `notifications`, default true): the
    /// dashboard then graphs their messages.
    #[serde(default = "default_true")]
    pub async_notifications: bool,
    /// Tags on the alarm topic.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Id of the AppConfig application the model's parameters are deployed
    /// with (AppConfig's `applicationId`); with `appConfigEnvironmentId`
    /// the dashboard shows the environment's parameter rollouts. An
    /// AppConfig whose monitors are this dashboard's `appConfigMonitorArns`
    /// is registered after the dashboard and cannot give its ids to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_config_application_id: Option<Output<String>>,
    /// Id of the AppConfig environment (AppConfig's `environmentId`);
    /// given with `appConfigApplicationId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_config_environment_id: Option<Output<String>>,
    /// The alarms that roll the environment's rollouts back (AppConfig's
    /// `rollbackAlarmArns`, e.g. another dashboard's
    /// `appConfigMonitorArns`): the AppConfig panel shows their states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_config_rollback_alarm_arns: Vec<Output<String>>,
    /// ARN of the retraining Workflow's state machine (Workflow's
    /// `stateMachineArn`): the dashboard shows its executions, how they
    /// ended and how long they took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_machine_arn: Option<Output<String>>,
}

fn default_true() -> bool {
    true
}

/// What MonitorDashboard made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorDashboardOutputs {
    /// The dashboard name.
    pub dashboard_name: Output<String>,
    /// The dashboard in the CloudWatch console of the provider's region.
    pub dashboard_url: Output<String>,
    /// The alarms' ARNs by purpose: `serverErrors/<variant>`,
    /// `latencyP99/<variant>`, `memorySaturation/<variant>`, `backlogAge`
    /// (asynchronous endpoints) and `unhealthy` (the composite alarm).
    pub alarm_arns: BTreeMap<String, Output<String>>,
    /// The composite "endpoint unhealthy" alarm's ARN.
    pub unhealthy_alarm_arn: Output<String>,
    /// The SNS topic the composite alarm notifies.
    pub alarm_topic_arn: Output<String>,
    /// The alarms a blue/green rollout of the endpoint watches (each
    /// variant's server errors and p99 latency, at most 10): pass them as
    /// the endpoint's `rollout.rollbackAlarmNames`.
    pub rollback_alarm_names: Output<Vec<String>>,
    /// The same alarms' ARNs.
    pub rollback_alarm_arns: Vec<Output<String>>,
    /// The alarms an AppConfig environment's rollouts should watch (pass
    /// them as AppConfig's `rollbackAlarmArns`): the composite "unhealthy"
    /// alarm, which is `OK` while the endpoint's alarms lack data, so that
    /// AppConfig, which also rolls back on `INSUFFICIENT_DATA`, does not
    /// roll back a rollout to an idle endpoint; one monitor of the five an
    /// environment takes.
    pub app_config_monitor_arns: Vec<Output<String>>,
}

/// The MonitorDashboard component.
pub struct MonitorDashboard;

/// An optional output as an output of an option: known when absent.
fn optional(value: Option<Output<String>>) -> Output<Option<String>> {
    match value {
        Some(output) => output.map(Some),
        None => Output::new(None),
    }
}

impl MonitorDashboardArgs {
    fn dashboard_name(&self) -> String {
        self.dashboard_name
            .clone()
            .unwrap_or_else(|| format!("{}-dashboard", self.endpoint_name))
    }

    /// What the alarms watch: the variants, or the inference components.
    fn watched(&self) -> Watched {
        if self.inference_type == InferenceType::Components {
            Watched::Components(
                self.model_list
                    .iter()
                    .map(|m| {
                        (
                            m.variant_name.clone(),
                            component_name(&self.endpoint_name, m),
                        )
                    })
                    .collect(),
            )
        } else {
            Watched::Variants(
                self.model_list
                    .iter()
                    .map(|m| m.variant_name.clone())
                    .collect(),
            )
        }
    }

    fn planned_alarms(&self) -> Vec<alarms::PlannedAlarm> {
        plan_alarms(
            &self.endpoint_name,
            self.inference_type.kind(),
            &self.watched(),
            &self.alarms,
        )
    }
}

/// The console address of dashboard `name` in `region`: the console of the
/// region's partition (China and GovCloud have their own).
pub fn console_url(region: &str, name: &str) -> String {
    let host = if region.starts_with("cn-") {
        "console.amazonaws.cn".to_owned()
    } else if region.starts_with("us-gov-") {
        "console.amazonaws-us-gov.com".to_owned()
    } else {
        format!("{region}.console.aws.amazon.com")
    };
    format!("https://{host}/cloudwatch/home?region={region}#dashboards:name={name}")
}

/// The ARN CloudWatch gives alarm `name`, in the partition of `region`.
fn alarm_arn(region: &str, account: &str, name: &str) -> String {
    let partition = crate::naming::partition_of(region);
    format!("arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}")
}

/// What the dashboard of `args` shows, in `region` of `account`, with the
/// `planned` alarms' states.
fn endpoint_view(
    args: &MonitorDashboardArgs,
    region: &str,
    account: &str,
    planned: &[alarms::PlannedAlarm],
) -> EndpointView {
    let kind = args.inference_type.kind();
    let endpoint = &args.endpoint_name;
    let components = args.inference_type == InferenceType::Components;
    EndpointView {
        region: region.to_owned(),
        endpoint: endpoint.clone(),
        kind,
        components: args
            .model_list
            .iter()
            .filter(|_| components)
            .map(|m| ComponentView {
                name: component_name(endpoint, m),
                variant: m.variant_name.clone(),
                gpu: m
                    .inference_component
                    .as_ref()
                    .and_then(|c| {
                        c.compute_requirements
                            .number_of_accelerator_devices_required
                    })
                    .is_some_and(|devices| devices > 0.0),
            })
            .collect(),
        variants: args
            .model_list
            .iter()
            .filter(|_| !components)
            .map(|m| VariantView {
                name: m.variant_name.clone(),
                instance_type: if kind == EndpointKind::Serverless {
                    String::new()
                } else {
                    m.instance_type.clone()
                },
            })
            .collect(),
        topics: (kind == EndpointKind::Async && args.async_notifications)
            .then(|| (format!("{endpoint}-success"), format!("{endpoint}-error"))),
        alarm_arns: std::iter::once(unhealthy_alarm_name(endpoint))
            .chain(planned.iter().map(|a| a.inputs.alarm_name.clone()))
            .map(|alarm| alarm_arn(region, account, &alarm))
            .collect(),
        app_config: None,
        state_machine_arn: None,
    }
}

/// The dashboard body MonitorDashboard writes for `args` in `region` of
/// `account` (PutDashboard's `DashboardBody`, as a JSON value): the same
/// code the component runs, for the `dashboardBody` function.
pub fn planned_dashboard_body(
    args: &MonitorDashboardArgs,
    region: &str,
    account: &str,
) -> serde_json::Value {
    let planned = args.planned_alarms();
    let mut view = endpoint_view(args, region, account, &planned);
    let known = |value: &Option<Output<String>>| value.clone().and_then(Output::into_value);
    view.state_machine_arn = known(&args.state_machine_arn);
    view.app_config = known(&args.app_config_application_id)
        .zip(known(&args.app_config_environment_id))
        .map(|(application_id, environment_id)| AppConfigView {
            application_id,
            environment_id,
            monitor_arns: args
                .app_config_rollback_alarm_arns
                .iter()
                .filter_map(|arn| arn.clone().into_value())
                .collect(),
        });
    dashboard_body(&view)
}

#[async_trait]
impl Component for MonitorDashboard {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:MonitorDashboard";

    type Inputs = MonitorDashboardArgs;
    type Outputs = MonitorDashboardOutputs;

    fn check(&self, args: &MonitorDashboardArgs) -> Failures {
        let mut failures = Failures::new();
        let kind = args.inference_type.kind();
        // Serverless settings do not change what is watched: any valid ones
        // let the variant rules be checked.
        let serverless = (kind == EndpointKind::Serverless).then_some(ServerlessSettings {
            memory_size: 1024,
            max_concurrency: 1,
            provisioned_concurrency: None,
        });
        if args.inference_type == InferenceType::Components {
            // The component endpoint's own rules; here, what names the
            // graphs and alarms.
            if let Some(problem) = sagemaker_name_problem(&args.endpoint_name) {
                failures.push("endpointName", problem);
            }
            check_models(&args.model_list, &mut failures);
            for (i, model) in args.model_list.iter().enumerate() {
                let name = component_name(&args.endpoint_name, model);
                if let Some(problem) = sagemaker_name_problem(&name) {
                    failures.push(
                        format!("modelList[{i}].VariantName"),
                        format!("makes the inference component name `{name}`: {problem}"),
                    );
                }
            }
        } else {
            check_endpoint(
                kind,
                &args.endpoint_name,
                &args.model_list,
                serverless.as_ref(),
                &mut failures,
            );
        }
        if let Some(problem) = dashboard_name_problem(&args.dashboard_name()) {
            failures.push("dashboardName", problem);
        }
        args.alarms.check(&mut failures);
        match (
            &args.app_config_application_id,
            &args.app_config_environment_id,
        ) {
            (Some(_), None) => failures.push(
                "appConfigEnvironmentId",
                "is required with appConfigApplicationId: the environment whose rollouts the dashboard shows",
            ),
            (None, Some(_)) => failures.push(
                "appConfigApplicationId",
                "is required with appConfigEnvironmentId: the application of the environment",
            ),
            (None, None) if !args.app_config_rollback_alarm_arns.is_empty() => failures.push(
                "appConfigRollbackAlarmArns",
                "are shown on the AppConfig panel: give appConfigApplicationId and appConfigEnvironmentId too",
            ),
            _ => {}
        }
        for (i, email) in args.alarm_emails.iter().enumerate() {
            let inputs = SubscriptionInputs {
                topic_arn: Output::unknown(),
                protocol: "email".to_owned(),
                endpoint: email.clone(),
            };
            for failure in framework::CustomResource::check(&Subscription, &inputs).into_vec() {
                failures.push(format!("alarmEmails[{i}]"), failure.reason);
            }
        }
        failures
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: MonitorDashboardArgs,
    ) -> Result<MonitorDashboardOutputs> {
        let clients = scope.clients()?;
        let region = clients.region.clone();
        let account = clients.account_id().await?;
        let endpoint = &args.endpoint_name;

        let topic = scope
            .resource::<Topic>(
                &format!("{name}-alarm-topic"),
                &TopicInputs {
                    topic_name: format!("{endpoint}-alarms"),
                    kms_key_arn: None,
                    tags: args.tags.clone(),
                },
                ChildOptions::default(),
            )
            .await?;
        let topic_arn: Output<String> = topic.output("arn");
        let subscriptions = args.alarm_emails.iter().enumerate().map(|(i, email)| {
            let inputs = SubscriptionInputs {
                topic_arn: topic_arn.clone(),
                protocol: "email".to_owned(),
                endpoint: email.clone(),
            };
            async move {
                scope
                    .resource::<Subscription>(
                        &format!("{name}-alarm-email-{i}"),
                        &inputs,
                        ChildOptions::default(),
                    )
                    .await
            }
        });
        framework::all_children(subscriptions).await?;

        let planned = args.planned_alarms();
        let registrations = planned.iter().map(|alarm| {
            let child = format!("{name}-{}-alarm", alarm.key().replace('/', "-"));
            async move {
                scope
                    .resource::<MetricAlarm>(&child, &alarm.inputs, ChildOptions::default())
                    .await
            }
        });
        let metric_alarms: Vec<Child<MetricAlarm>> = framework::all_children(registrations).await?;

        let unhealthy = scope
            .resource::<CompositeAlarm>(
                &format!("{name}-unhealthy-alarm"),
                &CompositeAlarmInputs {
                    alarm_name: unhealthy_alarm_name(endpoint),
                    alarm_description: format!(
                        "Endpoint {endpoint} is unhealthy: one of its alarms fired"
                    ),
                    alarm_rule: Output::new(unhealthy_rule(&planned)),
                    alarm_actions: vec![topic_arn.clone()],
                    ok_actions: vec![topic_arn.clone()],
                },
                ChildOptions {
                    depends_on: metric_alarms.iter().map(|a| a.urn.clone()).collect(),
                    ..Default::default()
                },
            )
            .await?;

        let dashboard_name = args.dashboard_name();
        let mut view = endpoint_view(&args, &region, &account, &planned);
        let dashboard_body = optional(args.app_config_application_id.clone())
            .zip(optional(args.app_config_environment_id.clone()))
            .zip(optional(args.state_machine_arn.clone()))
            .zip(Output::all(args.app_config_rollback_alarm_arns.clone()))
            .map(
                move |(((application, environment), machine), monitor_arns)| {
                    view.app_config =
                        application
                            .zip(environment)
                            .map(|(application_id, environment_id)| AppConfigView {
                                application_id,
                                environment_id,
                                monitor_arns,
                            });
                    view.state_machine_arn = machine;
                    dashboard_body(&view).to_string()
                },
            );
        let dashboard = scope
            .resource::<Dashboard>(
                &format!("{name}-dashboard"),
                &DashboardInputs {
                    dashboard_name: dashboard_name.clone(),
                    dashboard_body,
                },
                ChildOptions::default(),
            )
            .await?;

        let mut alarm_arns: BTreeMap<String, Output<String>> = planned
            .iter()
            .zip(&metric_alarms)
            .map(|(plan, child)| (plan.key(), child.output("arn")))
            .collect();
        alarm_arns.insert("unhealthy".to_owned(), unhealthy.output("arn"));
        let guarding = rollback_alarms(&planned);
        let guarding_children: Vec<&Child<MetricAlarm>> = planned
            .iter()
            .zip(&metric_alarms)
            .filter(|(plan, _)| guarding.contains(plan))
            .map(|(_, child)| child)
            .collect();
        let rollback_alarm_names = Output::from_parts(
            Some(
                guarding
                    .iter()
                    .map(|a| a.inputs.alarm_name.clone())
                    .collect(),
            ),
            false,
            guarding_children.iter().map(|c| c.urn.clone()).collect(),
        );
        let dashboard_output: Output<String> = dashboard.output("dashboardName");
        Ok(MonitorDashboardOutputs {
            dashboard_url: dashboard_output
                .clone()
                .map(move |name| console_url(&region, &name)),
            dashboard_name: dashboard_output,
            alarm_arns,
            unhealthy_alarm_arn: unhealthy.output("arn"),
            alarm_topic_arn: topic_arn,
            rollback_alarm_names,
            rollback_alarm_arns: guarding_children.iter().map(|c| c.output("arn")).collect(),
            app_config_monitor_arns: vec![unhealthy.output("arn")],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_url_is_the_regions_console() {
        assert_eq!(
            console_url("eu-west-1", "fraud-dashboard"),
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=fraud-dashboard"
        );
        assert!(console_url("cn-north-1", "d").starts_with("https://console.amazonaws.cn/"));
        assert!(
            console_url("us-gov-west-1", "d").starts_with("https://console.amazonaws-us-gov.com/")
        );
        assert_eq!(
            alarm_arn("cn-north-1", "123456789012", "a"),
            "arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a"
        );
    }
}
