//! The fixed values CloudWatch takes for a metric's statistic, an alarm's
//! comparison and its treatment of missing data, as Rust enums that
//! serialize to exactly CloudWatch's strings (and so become enum types in
//! the package schema and the SDKs).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A statistic of a CloudWatch metric over each period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Statistic {
    /// The number of data points.
    SampleCount,
    /// The mean of the data points.
    Average,
    /// The total of the data points.
    Sum,
    /// The lowest data point.
    Minimum,
    /// The highest data point.
    Maximum,
}

impl Statistic {
    /// Every statistic, in CloudWatch's order.
    pub const ALL: [Statistic; 5] = [
        Statistic::SampleCount,
        Statistic::Average,
        Statistic::Sum,
        Statistic::Minimum,
        Statistic::Maximum,
    ];

    /// CloudWatch's name of the statistic.
    pub fn as_str(self) -> &'static str {
        match self {
            Statistic::SampleCount => "SampleCount",
            Statistic::Average => "Average",
            Statistic::Sum => "Sum",
            Statistic::Minimum => "Minimum",
            Statistic::Maximum => "Maximum",
        }
    }
}

impl From<Statistic> for aws_sdk_cloudwatch::types::Statistic {
    fn from(statistic: Statistic) -> Self {
        use aws_sdk_cloudwatch::types::Statistic as Sdk;
        match statistic {
            Statistic::SampleCount => Sdk::SampleCount,
            Statistic::Average => Sdk::Average,
            Statistic::Sum => Sdk::Sum,
            Statistic::Minimum => Sdk::Minimum,
            Statistic::Maximum => Sdk::Maximum,
        }
    }
}

/// How an alarm compares the statistic (the first operand) with its
/// threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ComparisonOperator {
    /// The statistic is greater than or equal to the threshold.
    GreaterThanOrEqualToThreshold,
    /// The statistic is greater than the threshold.
    GreaterThanThreshold,
    /// The statistic is less than the threshold.
    LessThanThreshold,
    /// The statistic is less than or equal to the threshold.
    LessThanOrEqualToThreshold,
    /// The statistic is outside an anomaly-detection band (only for alarms
    /// on an anomaly-detection model, which MetricAlarm does not make).
    LessThanLowerOrGreaterThanUpperThreshold,
    /// The statistic is below an anomaly-detection band (only for alarms on
    /// an anomaly-detection model, which MetricAlarm does not make).
    LessThanLowerThreshold,
    /// The statistic is above an anomaly-detection band (only for alarms on
    /// an anomaly-detection model, which MetricAlarm does not make).
    GreaterThanUpperThreshold,
}

impl ComparisonOperator {
    /// Every operator, in CloudWatch's order.
    pub const ALL: [ComparisonOperator; 7] = [
        ComparisonOperator::GreaterThanOrEqualToThreshold,
        ComparisonOperator::GreaterThanThreshold,
        ComparisonOperator::LessThanThreshold,
        ComparisonOperator::LessThanOrEqualToThreshold,
        ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold,
        ComparisonOperator::LessThanLowerThreshold,
        ComparisonOperator::GreaterThanUpperThreshold,
    ];

    /// CloudWatch's name of the operator.
    pub fn as_str(self) -> &'static str {
        match self {
            ComparisonOperator::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            ComparisonOperator::GreaterThanThreshold => "GreaterThanThreshold",
            ComparisonOperator::LessThanThreshold => "LessThanThreshold",
            ComparisonOperator::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
            ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold => {
                "LessThanLowerOrGreaterThanUpperThreshold"
            }
            ComparisonOperator::LessThanLowerThreshold => "LessThanLowerThreshold",
            ComparisonOperator::GreaterThanUpperThreshold => "GreaterThanUpperThreshold",
        }
    }

    /// True for the operators that compare with an anomaly-detection band
    /// rather than a fixed threshold.
    pub fn compares_with_a_band(self) -> bool {
        matches!(
            self,
            ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold
                | ComparisonOperator::LessThanLowerThreshold
                | ComparisonOperator::GreaterThanUpperThreshold
        )
    }
}

impl From<ComparisonOperator> for aws_sdk_cloudwatch::types::ComparisonOperator {
    fn from(operator: ComparisonOperator) -> Self {
        use aws_sdk_cloudwatch::types::ComparisonOperator as Sdk;
        match operator {
            ComparisonOperator::GreaterThanOrEqualToThreshold => Sdk::GreaterThanOrEqualToThreshold,
            ComparisonOperator::GreaterThanThreshold => Sdk::GreaterThanThreshold,
            ComparisonOperator::LessThanThreshold => Sdk::LessThanThreshold,
            ComparisonOperator::LessThanOrEqualToThreshold => Sdk::LessThanOrEqualToThreshold,
            ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold => {
                Sdk::LessThanLowerOrGreaterThanUpperThreshold
            }
            ComparisonOperator::LessThanLowerThreshold => Sdk::LessThanLowerThreshold,
            ComparisonOperator::GreaterThanUpperThreshold => Sdk::GreaterThanUpperThreshold,
        }
    }
}

/// What an alarm makes of periods without data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TreatMissingData {
    /// Missing data counts as breaching the threshold.
    Breaching,
    /// Missing data counts as within the threshold.
    NotBreaching,
    /// The alarm keeps its current state.
    Ignore,
    /// The alarm looks further back for data, and has insufficient data when
    /// there is none (CloudWatch's default).
    #[default]
    Missing,
}

impl TreatMissingData {
    /// Every treatment, in CloudWatch's order.
    pub const ALL: [TreatMissingData; 4] = [
        TreatMissingData::Breaching,
        TreatMissingData::NotBreaching,
        TreatMissingData::Ignore,
        TreatMissingData::Missing,
    ];

    /// CloudWatch's name of the treatment (PutMetricAlarm takes it as a
    /// string).
    pub fn as_str(self) -> &'static str {
        match self {
            TreatMissingData::Breaching => "breaching",
            TreatMissingData::NotBreaching => "notBreaching",
            TreatMissingData::Ignore => "ignore",
            TreatMissingData::Missing => "missing",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string `value` travels as.
    fn wire<T: Serialize>(value: T) -> String {
        match serde_json::to_value(value).unwrap() {
            serde_json::Value::String(text) => text,
            other => panic!("not a string: {other}"),
        }
    }

    #[test]
    fn statistics_travel_as_cloudwatch_names_both_ways() {
        let names: Vec<String> = Statistic::ALL.into_iter().map(wire).collect();
        assert_eq!(
            names,
            ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]
        );
        for statistic in Statistic::ALL {
            assert_eq!(wire(statistic), statistic.as_str());
            let sdk = aws_sdk_cloudwatch::types::Statistic::from(statistic);
            assert_eq!(sdk.as_str(), statistic.as_str());
            let back: Statistic = serde_json::from_value(statistic.as_str().into()).unwrap();
            assert_eq!(back, statistic);
        }
        // Every value the SDK knows is one of ours.
        let known = aws_sdk_cloudwatch::types::Statistic::values();
        assert_eq!(known.len(), Statistic::ALL.len());
    }

    #[test]
    fn comparison_operators_travel_as_cloudwatch_names_both_ways() {
        for operator in ComparisonOperator::ALL {
            assert_eq!(wire(operator), operator.as_str());
            let sdk = aws_sdk_cloudwatch::types::ComparisonOperator::from(operator);
            assert_eq!(sdk.as_str(), operator.as_str());
        }
        let mut ours: Vec<&str> = ComparisonOperator::ALL
            .map(ComparisonOperator::as_str)
            .into();
        let mut sdk: Vec<&str> = aws_sdk_cloudwatch::types::ComparisonOperator::values().to_vec();
        ours.sort();
        sdk.sort();
        assert_eq!(ours, sdk);
        let bands: Vec<&str> = ComparisonOperator::ALL
            .into_iter()
            .filter(|o| o.compares_with_a_band())
            .map(ComparisonOperator::as_str)
            .collect();
        assert_eq!(
            bands,
            [
                "LessThanLowerOrGreaterThanUpperThreshold",
                "LessThanLowerThreshold",
                "GreaterThanUpperThreshold"
            ]
        );
    }

    #[test]
    fn missing_data_treatments_are_camel_case_and_default_to_missing() {
        let names: Vec<String> = TreatMissingData::ALL.into_iter().map(wire).collect();
        assert_eq!(names, ["breaching", "notBreaching", "ignore", "missing"]);
        for treatment in TreatMissingData::ALL {
            assert_eq!(wire(treatment), treatment.as_str());
        }
        assert_eq!(TreatMissingData::default(), TreatMissingData::Missing);
        let wrong = serde_json::from_value::<TreatMissingData>("NotBreaching".into());
        assert!(wrong.is_err(), "CloudWatch's spelling only");
    }
}
