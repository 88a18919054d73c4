//! `sagemaker-deployment:cloudwatch:Dashboard`: a CloudWatch dashboard.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::{Created, CustomResource, Failures, Output, ReadOutcome, Result};

/// Longest dashboard name (API reference, PutDashboard, `DashboardName`).
const MAX_NAME: usize = 255;

/// A CloudWatch dashboard: a name and a body of widgets (JSON, see the
/// CloudWatch API reference, "Dashboard Body Structure and Syntax").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardInputs {
    /// The dashboard name: up to 255 letters, digits, `-` or `_`.
    pub dashboard_name: String,
    /// The dashboard body, a JSON object with a `widgets` array.
    pub dashboard_body: Output<String>,
}

/// The dashboard as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardOutputs {
    /// The dashboard's settings.
    #[serde(flatten)]
    pub inputs: DashboardInputs,
    /// The dashboard ARN.
    pub dashboard_arn: String,
}

/// The dashboard resource. PutDashboard both creates and replaces a body,
/// so a new body updates it in place.
pub struct Dashboard;

/// What is wrong with `name` as a dashboard name: "Valid characters in the
/// name include '0-9A-Za-z-_'" (API reference, PutDashboard).
pub fn dashboard_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Some(format!("must be 1-{MAX_NAME} characters"));
    }
    let bad: String = name
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        .collect();
    (!bad.is_empty()).then(|| format!("may hold only letters, digits, `-` and `_`, not `{bad}`"))
}

/// What is wrong with `body` as a dashboard body, when it is known: it must
/// be a JSON object with a `widgets` array ("The dashboard must include a
/// widgets array, but that array can be empty", Dashboard Body Structure
/// and Syntax).
pub fn dashboard_body_problem(body: &str) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(body) {
        Err(error) => Some(format!("is not JSON: {error}")),
        Ok(value) if !value.get("widgets").is_some_and(|w| w.is_array()) => {
            Some("must be a JSON object with a `widgets` array".to_owned())
        }
        Ok(_) => None,
    }
}

#[async_trait]
impl CustomResource for Dashboard {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:cloudwatch:Dashboard";
    const UPDATABLE: &'static [&'static str] = &["dashboardBody"];

    type Inputs = DashboardInputs;
    type Outputs = DashboardOutputs;

    fn check(&self, inputs: &DashboardInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = dashboard_name_problem(&inputs.dashboard_name) {
            failures.push("dashboardName", problem);
        }
        if let Some(problem) = inputs
            .dashboard_body
            .get()
            .and_then(|body| dashboard_body_problem(body))
        {
            failures.push("dashboardBody", problem);
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &DashboardInputs,
    ) -> Result<Created<DashboardOutputs>> {
        put_dashboard(ctx, inputs).await?;
        let dashboard_arn = dashboard_arn(ctx, &inputs.dashboard_name).await?;
        Ok(Created {
            id: inputs.dashboard_name.clone(),
            outputs: DashboardOutputs {
                inputs: inputs.clone(),
                dashboard_arn: dashboard_arn.unwrap_or_default(),
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &DashboardOutputs,
    ) -> Result<ReadOutcome<DashboardInputs, DashboardOutputs>> {
        let Some(found) = ctx
            .clients
            .cloudwatch
            .get_dashboard()
            .dashboard_name(id)
            .send()
            .await
            .aws(Service::CloudWatch, "GetDashboard")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let body = found.dashboard_body().unwrap_or_default().to_owned();
        // The same widgets written differently are no drift.
        let recorded = outputs.inputs.dashboard_body.get().map(String::as_str);
        let dashboard_body = if recorded.is_some_and(|r| same_json(r, &body)) {
            outputs.inputs.dashboard_body.clone()
        } else {
            Output::new(body)
        };
        let inputs = DashboardInputs {
            dashboard_name: id.to_owned(),
            dashboard_body,
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: DashboardOutputs {
                inputs: inputs.clone(),
                dashboard_arn: found
                    .dashboard_arn()
                    .map(str::to_owned)
                    .unwrap_or_else(|| outputs.dashboard_arn.clone()),
            },
            inputs,
        })
    }

    /// A dashboard made outside Pulumi, by name: its body as CloudWatch
    /// stores it.
    async fn import(
        &self,
        ctx: &Context,
        id: &str,
    ) -> Result<ReadOutcome<DashboardInputs, DashboardOutputs>> {
        let recorded = DashboardOutputs {
            inputs: DashboardInputs {
                dashboard_name: id.to_owned(),
                dashboard_body: Output::unknown(),
            },
            dashboard_arn: String::new(),
        };
        self.read(ctx, id, &recorded).await
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &DashboardOutputs,
        news: &DashboardInputs,
    ) -> Result<DashboardOutputs> {
        put_dashboard(ctx, news).await?;
        Ok(DashboardOutputs {
            inputs: news.clone(),
            dashboard_arn: olds.dashboard_arn.clone(),
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &DashboardOutputs) -> Result<()> {
        ctx.clients
            .cloudwatch
            .delete_dashboards()
            .dashboard_names(id)
            .send()
            .await
            .aws(Service::CloudWatch, "DeleteDashboards")
            .or_gone()?;
        Ok(())
    }
}

/// True when `a` and `b` are the same JSON value.
fn same_json(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Writes the body; CloudWatch's validation messages fail the call.
async fn put_dashboard(ctx: &Context, inputs: &DashboardInputs) -> Result<()> {
    let put = ctx
        .clients
        .cloudwatch
        .put_dashboard()
        .dashboard_name(&inputs.dashboard_name)
        .dashboard_body(inputs.dashboard_body.as_str())
        .send()
        .await
        .aws(Service::CloudWatch, "PutDashboard")?;
    // "If this result includes only warning messages, then the input was
    // valid enough for the dashboard to be created or modified" (API
    // reference, PutDashboard): they are passed on, not fatal.
    for message in put.dashboard_validation_messages() {
        ctx.warn(format!(
            "dashboard {}: {} ({})",
            inputs.dashboard_name,
            message.message().unwrap_or_default(),
            message.data_path().unwrap_or_default()
        ))
        .await;
    }
    Ok(())
}

/// The dashboard's ARN, read back after it was written.
async fn dashboard_arn(ctx: &Context, name: &str) -> Result<Option<String>> {
    let found = ctx
        .clients
        .cloudwatch
        .get_dashboard()
        .dashboard_name(name)
        .send()
        .await
        .aws(Service::CloudWatch, "GetDashboard")
        .or_gone()?;
    Ok(found.and_then(|f| f.dashboard_arn().map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudwatch::Client;
    use aws_sdk_cloudwatch::operation::get_dashboard::GetDashboardOutput;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context;

    #[tokio::test]
    async fn an_imported_dashboard_takes_its_body_from_cloudwatch() {
        let body = r#"{"widgets":[]}"#;
        let get = mock!(Client::get_dashboard)
            .match_requests(|req| req.dashboard_name() == Some("fraud-dashboard"))
            .then_output(move || {
                GetDashboardOutput::builder()
                    .dashboard_name("fraud-dashboard")
                    .dashboard_arn("arn:aws:cloudwatch::123456789012:dashboard/fraud-dashboard")
                    .dashboard_body(body)
                    .build()
            });
        let ctx = mock_context::<Dashboard>(&[&get]).await;
        let ReadOutcome::Found {
            id,
            inputs,
            outputs,
        } = Dashboard.import(&ctx, "fraud-dashboard").await.unwrap()
        else {
            panic!("found");
        };
        assert_eq!(id, "fraud-dashboard");
        assert_eq!(inputs.dashboard_name, "fraud-dashboard");
        assert_eq!(inputs.dashboard_body.get().map(String::as_str), Some(body));
        assert_eq!(
            outputs.dashboard_arn,
            "arn:aws:cloudwatch::123456789012:dashboard/fraud-dashboard"
        );
    }

    #[test]
    fn names_follow_put_dashboard() {
        assert_eq!(dashboard_name_problem("fraud-prod_monitor"), None);
        assert!(dashboard_name_problem("").is_some());
        assert!(dashboard_name_problem(&"a".repeat(256)).is_some());
        let problem = dashboard_name_problem("fraud prod/1").unwrap();
        assert!(problem.contains("` /`"), "{problem}");
    }

    #[test]
    fn a_body_needs_a_widgets_array() {
        assert_eq!(dashboard_body_problem(r#"{"widgets": []}"#), None);
        assert!(
            dashboard_body_problem("{")
                .unwrap()
                .starts_with("is not JSON")
        );
        assert!(dashboard_body_problem(r#"{"widgets": {}}"#).is_some());
        assert!(dashboard_body_problem("[]").is_some());
    }

    #[test]
    fn the_same_widgets_written_differently_are_the_same_body() {
        assert!(same_json(r#"{"widgets":[]}"#, "{ \"widgets\" : [ ] }"));
        assert!(!same_json(r#"{"widgets":[]}"#, r#"{"widgets":[{}]}"#));
    }
}
