//! `sagemaker-deployment:cloudwatch:MetricAlarm`: a CloudWatch metric alarm.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::Dimension;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::Output;
use framework::Result;
use framework::{Created, CustomResource, Failures, ReadOutcome};

mod composite_alarm;
mod dashboard;
mod metric_enums;

pub use composite_alarm::{CompositeAlarm, CompositeAlarmInputs, CompositeAlarmOutputs};
pub use dashboard::{Dashboard, DashboardInputs, DashboardOutputs, dashboard_name_problem};
pub use metric_enums::{ComparisonOperator, Statistic, TreatMissingData};

/// An alarm on one CloudWatch metric; its actions run when it fires (e.g. a
/// step-scaling policy that wakes an endpoint scaled to zero).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricAlarmInputs {
    /// The alarm name.
    pub alarm_name: String,
    /// What the alarm watches for, shown in the console.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alarm_description: String,
    /// The metric's name, e.g. `Invocation5XXErrors`.
    pub metric_name: String,
    /// The metric's namespace, e.g. `AWS/SageMaker`.
    pub namespace: String,
    /// The statistic compared with the threshold (this or
    /// `extendedStatistic`, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<Statistic>,
    /// A percentile compared with the threshold instead, `p0.0`-`p100`
    /// (e.g. `p99`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_statistic: Option<String>,
    /// The metric's dimensions, name to value.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// Seconds per evaluated period.
    pub period: u32,
    /// Periods compared with the threshold before the alarm changes state.
    pub evaluation_periods: u32,
    /// The value the statistic is compared with.
    pub threshold: f64,
    /// How the statistic is compared with the threshold.
    pub comparison_operator: ComparisonOperator,
    /// What periods without data count as (default `missing`).
    #[serde(default)]
    pub treat_missing_data: TreatMissingData,
    /// ARNs notified or invoked when the alarm fires.
    #[serde(default)]
    pub alarm_actions: Vec<Output<String>>,
}

/// The alarm as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricAlarmOutputs {
    /// The alarm's settings.
    #[serde(flatten)]
    pub inputs: MetricAlarmInputs,
    /// The alarm ARN.
    pub arn: String,
}

/// The metric alarm resource.
pub struct MetricAlarm;

#[async_trait]
impl CustomResource for MetricAlarm {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:cloudwatch:MetricAlarm";
    const UPDATABLE: &'static [&'static str] = &[
        "alarmDescription",
        "metricName",
        "namespace",
        "statistic",
        "extendedStatistic",
        "dimensions",
        "period",
        "evaluationPeriods",
        "threshold",
        "comparisonOperator",
        "treatMissingData",
        "alarmActions",
    ];

    type Inputs = MetricAlarmInputs;
    type Outputs = MetricAlarmOutputs;

    fn check(&self, inputs: &MetricAlarmInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            !inputs.alarm_name.is_empty() && inputs.alarm_name.len() <= 255,
            "alarmName",
            "must be 1-255 characters",
        );
        let operator = inputs.comparison_operator;
        failures.require(
            !operator.compares_with_a_band(),
            "comparisonOperator",
            format!(
                "`{}` compares with an anomaly-detection band, which this alarm does not have: \
                 use a fixed-threshold operator ({})",
                operator.as_str(),
                ComparisonOperator::ALL
                    .into_iter()
                    .filter(|o| !o.compares_with_a_band())
                    .map(ComparisonOperator::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        failures.require(
            inputs.period == 10
                || inputs.period == 30
                || (inputs.period >= 60 && inputs.period.is_multiple_of(60)),
            "period",
            "must be 10, 30 or a multiple of 60 seconds",
        );
        match (&inputs.statistic, &inputs.extended_statistic) {
            (Some(_), Some(_)) | (None, None) => failures.push(
                "statistic",
                "give exactly one of `statistic` and `extendedStatistic` (PutMetricAlarm takes one)",
            ),
            (None, Some(percentile)) => failures.require(
                is_percentile(percentile),
                "extendedStatistic",
                format!("`{percentile}` is not a percentile: use p0.0-p100, e.g. p99 or p99.9"),
            ),
            (Some(_), None) => {}
        }
        failures.require(
            inputs.evaluation_periods >= 1,
            "evaluationPeriods",
            "must be at least 1",
        );
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &MetricAlarmInputs,
    ) -> Result<Created<MetricAlarmOutputs>> {
        put_alarm(ctx, inputs).await?;
        // The alarm exists from here on: a failure to read its ARN must still
        // hand it to the engine rather than orphan it.
        let arn = match alarm_arn(ctx, &inputs.alarm_name).await {
            Ok(arn) => arn.unwrap_or_default(),
            Err(error) => {
                let outputs = MetricAlarmOutputs {
                    inputs: inputs.clone(),
                    arn: String::new(),
                };
                return Err(framework::ProviderError::PartialFailure {
                    id: inputs.alarm_name.clone(),
                    outputs: Box::new(framework::encode_plain(&outputs)?),
                    inputs: Box::new(framework::encode_plain(inputs)?),
                    reason: format!(
                        "alarm {} was created but could not be read back: {error}",
                        inputs.alarm_name
                    ),
                });
            }
        };
        Ok(Created {
            id: inputs.alarm_name.clone(),
            outputs: MetricAlarmOutputs {
                inputs: inputs.clone(),
                arn,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &MetricAlarmOutputs,
    ) -> Result<ReadOutcome<MetricAlarmInputs, MetricAlarmOutputs>> {
        match alarm_arn(ctx, id).await? {
            None => Ok(ReadOutcome::Gone),
            Some(arn) => Ok(ReadOutcome::Found {
                id: id.to_owned(),
                inputs: outputs.inputs.clone(),
                outputs: MetricAlarmOutputs {
                    arn,
                    ..outputs.clone()
                },
            }),
        }
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &MetricAlarmOutputs,
        news: &MetricAlarmInputs,
    ) -> Result<MetricAlarmOutputs> {
        put_alarm(ctx, news).await?;
        Ok(MetricAlarmOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &MetricAlarmOutputs) -> Result<()> {
        ctx.clients
            .cloudwatch
            .delete_alarms()
            .alarm_names(id)
            .send()
            .await
            .aws(Service::CloudWatch, "DeleteAlarms")
            .or_gone()?;
        Ok(())
    }
}

async fn put_alarm(ctx: &Context, inputs: &MetricAlarmInputs) -> Result<()> {
    let mut request = ctx
        .clients
        .cloudwatch
        .put_metric_alarm()
        .alarm_name(&inputs.alarm_name)
        .metric_name(&inputs.metric_name)
        .namespace(&inputs.namespace)
        .set_statistic(inputs.statistic.map(Into::into))
        .set_extended_statistic(inputs.extended_statistic.clone())
        .period(inputs.period as i32)
        .evaluation_periods(inputs.evaluation_periods as i32)
        .threshold(inputs.threshold)
        .comparison_operator(inputs.comparison_operator.into())
        .treat_missing_data(inputs.treat_missing_data.as_str())
        .set_alarm_actions(Some(
            inputs
                .alarm_actions
                .iter()
                .map(|arn| arn.as_str().to_owned())
                .collect(),
        ));
    if !inputs.alarm_description.is_empty() {
        request = request.alarm_description(&inputs.alarm_description);
    }
    for (name, value) in &inputs.dimensions {
        request = request.dimensions(Dimension::builder().name(name).value(value).build());
    }
    request
        .send()
        .await
        .aws(Service::CloudWatch, "PutMetricAlarm")?;
    Ok(())
}

/// True for CloudWatch's percentile statistics: `p` and a percentile of at
/// most two digits and two decimals, or `p100` (API reference,
/// PutMetricAlarm, `ExtendedStatistic`).
pub fn is_percentile(statistic: &str) -> bool {
    let Some(number) = statistic.strip_prefix('p') else {
        return false;
    };
    if number == "100" {
        return true;
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    (1..=2).contains(&whole.len())
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.len() <= 2
        && fraction.chars().all(|c| c.is_ascii_digit())
}

async fn alarm_arn(ctx: &Context, name: &str) -> Result<Option<String>> {
    let found = ctx
        .clients
        .cloudwatch
        .describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .aws(Service::CloudWatch, "DescribeAlarms")?;
    Ok(found
        .metric_alarms()
        .first()
        .map(|alarm| alarm.alarm_arn().unwrap_or_default().to_owned()))
}
