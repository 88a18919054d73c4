//! The dashboard body: the JSON document PutDashboard takes (CloudWatch API
//! reference, "Dashboard Body Structure and Syntax"): a `widgets` array of
//! objects with `type`, `x`, `y`, `width`, `height` and `properties`; a
//! metric widget's `properties` hold `metrics` (each metric an array
//! `[Namespace, MetricName, DimensionName, DimensionValue, ...]` ending in
//! an optional object of rendering options such as `stat` and `label`),
//! `region`, `period`, `stat`, `view` and `title`.

use serde_json::{Value, json};

use super::metrics::{self, Graph, Scope};
use crate::components::inference_component_endpoint::VARIANT_NAME as COMPONENTS_VARIANT;
use crate::resources::sagemaker::variant_rules::EndpointKind;

/// Columns of the dashboard grid (widths are 1-24).
const GRID: u32 = 24;
/// Width and height of a graph: two graphs a row.
const GRAPH: (u32, u32) = (12, 6);
/// Seconds per data point of every graph: SageMaker publishes each minute.
const PERIOD: u32 = 60;
/// Seconds per data point of the workflow's graphs: executions are rare
/// (a schedule starts one a day or a week), an hour a point keeps them
/// visible over the dashboard's default range.
const WORKFLOW_PERIOD: u32 = 3600;

/// A variant as the dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantView {
    /// The variant name.
    pub name: String,
    /// Its instance type (empty for serverless variants).
    pub instance_type: String,
}

/// An inference component as the dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentView {
    /// The component's name (`InferenceComponentName`).
    pub name: String,
    /// The `modelList` entry's `VariantName` it was named after.
    pub variant: String,
    /// True when its copies have accelerators (GPU graphs).
    pub gpu: bool,
}

/// What the dashboard of one endpoint shows.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointView {
    /// The region the metrics are in.
    pub region: String,
    /// The endpoint name.
    pub endpoint: String,
    /// Real-time, asynchronous or serverless.
    pub kind: EndpointKind,
    /// The variants, in model-list order (none for an endpoint hosting
    /// inference components).
    pub variants: Vec<VariantView>,
    /// The inference components, in model-list order (an endpoint hosting
    /// them).
    pub components: Vec<ComponentView>,
    /// The async endpoint's success and error topic names, when it notifies.
    pub topics: Option<(String, String)>,
    /// ARNs of the alarms whose states the dashboard shows.
    pub alarm_arns: Vec<String>,
    /// The AppConfig environment whose parameter rollouts the dashboard
    /// shows, when there is one.
    pub app_config: Option<AppConfigView>,
    /// ARN of the retraining workflow's state machine, when there is one.
    pub state_machine_arn: Option<String>,
}

/// The AppConfig environment the model's parameters are deployed to.
#[derive(Debug, Clone, PartialEq)]
pub struct AppConfigView {
    /// The application id.
    pub application_id: String,
    /// The environment id.
    pub environment_id: String,
    /// ARNs of the alarms that roll a parameter rollout back (the
    /// environment's monitors), when known.
    pub monitor_arns: Vec<String>,
}

/// Places widgets left to right, top to bottom, on the 24-column grid.
struct Layout {
    widgets: Vec<Value>,
    x: u32,
    y: u32,
    row_height: u32,
}

impl Layout {
    fn new() -> Self {
        Layout {
            widgets: Vec::new(),
            x: 0,
            y: 0,
            row_height: 0,
        }
    }

    fn place(&mut self, kind: &str, (width, height): (u32, u32), properties: Value) {
        if self.x + width > GRID {
            self.y += self.row_height;
            self.x = 0;
            self.row_height = 0;
        }
        self.widgets.push(json!({
            "type": kind,
            "x": self.x,
            "y": self.y,
            "width": width,
            "height": height,
            "properties": properties,
        }));
        self.x += width;
        self.row_height = self.row_height.max(height);
    }
}

fn kind_name(kind: EndpointKind) -> &'static str {
    match kind {
        EndpointKind::RealTime => "real-time",
        EndpointKind::Async => "asynchronous",
        EndpointKind::Serverless => "serverless",
    }
}

/// The dimensions of `graph`'s metrics for `view`'s endpoint and `subject`
/// (the variant or inference component a per-subject graph is about).
fn dimensions<'a>(view: &'a EndpointView, graph: &Graph, subject: Option<&'a str>) -> Vec<&'a str> {
    let endpoint = ["EndpointName", view.endpoint.as_str()];
    match (graph.scope, subject) {
        (Scope::Variant, Some(variant)) => [endpoint, ["VariantName", variant]].concat(),
        (Scope::ComponentsVariant, _) => [endpoint, ["VariantName", COMPONENTS_VARIANT]].concat(),
        (Scope::Component, Some(component)) => vec!["InferenceComponentName", component],
        _ => endpoint.to_vec(),
    }
}

/// The metric widget of `graph` for `view`'s endpoint (and `subject`, a
/// variant's or a component's name, which starts the title).
fn metric_widget(view: &EndpointView, graph: &Graph, subject: Option<&str>) -> Value {
    let metrics: Vec<Value> = graph
        .lines
        .iter()
        .map(|line| {
            let mut entry = vec![json!(line.namespace), json!(line.metric)];
            entry.extend(
                dimensions(view, graph, subject)
                    .into_iter()
                    .map(|d| json!(d)),
            );
            entry.push(json!({ "stat": line.stat, "label": line.label }));
            Value::Array(entry)
        })
        .collect();
    let title = match subject {
        Some(subject) => format!("{}: {}", subject, graph.title),
        None => graph.title.to_owned(),
    };
    json!({
        "title": title,
        "view": "timeSeries",
        "stacked": false,
        "region": view.region,
        "period": PERIOD,
        "stat": graph.lines.first().map_or("Average", |l| l.stat),
        "metrics": metrics,
    })
}

/// The success and error topics' message counts.
fn topics_widget(view: &EndpointView, success: &str, error: &str) -> Value {
    let entry = |topic: &str, label: &str| {
        json!([metrics::SNS, "NumberOfMessagesPublished", "TopicName", topic,
               { "stat": "Sum", "label": label }])
    };
    json!({
        "title": "Results notified per minute (success and error topics)",
        "view": "timeSeries",
        "stacked": false,
        "region": view.region,
        "period": PERIOD,
        "stat": "Sum",
        "metrics": [entry(success, "successes"), entry(error, "errors")],
    })
}

/// The AppConfig environment's deployments in the AppConfig console of
/// `region` (the console of the region's partition).
pub fn app_config_console_url(region: &str, app: &AppConfigView) -> String {
    let host = if region.starts_with("cn-") {
        "console.amazonaws.cn".to_owned()
    } else if region.starts_with("us-gov-") {
        "console.amazonaws-us-gov.com".to_owned()
    } else {
        format!("{region}.console.aws.amazon.com")
    };
    format!(
        "https://{host}/systems-manager/appconfig/applications/{}/environments/{}?region={region}",
        app.application_id, app.environment_id
    )
}

/// The AppConfig panel. AppConfig publishes no CloudWatch metrics of its
/// deployments (its User Guide's monitoring pages name CloudWatch alarms as
/// the deployment monitors, EventBridge events and CloudTrail, nothing in a
/// metric namespace), so a graph would show nothing: the panel is what a
/// reader can act on, the environment's deployments in the console and the
/// state of the alarms that roll a rollout back (AppConfig User Guide,
/// "Monitoring deployments for automatic rollback").
fn app_config_panel(layout: &mut Layout, view: &EndpointView, app: &AppConfigView) {
    layout.place(
        "text",
        (GRID, 2),
        json!({
            "markdown": format!(
                "## Model parameters (AppConfig)\nApplication `{}`, environment `{}`: [its deployments in the AppConfig console]({}). \
                 AppConfig publishes no metrics of its own; a rollout is rolled back when one of the environment's monitors alarms.",
                app.application_id,
                app.environment_id,
                app_config_console_url(&view.region, app)
            )
        }),
    );
    if !app.monitor_arns.is_empty() {
        layout.place(
            "alarm",
            (GRID, 2),
            json!({
                "title": "Alarm that rolls back AppConfig parameter rollouts (red: a rollout now would be rolled back)",
                "alarms": app.monitor_arns,
            }),
        );
    }
}

/// The retraining workflow's executions: how many started and how they
/// ended, and how long they took (Step Functions User Guide, "Monitoring
/// Step Functions metrics using Amazon CloudWatch": `AWS/States`, dimension
/// `StateMachineArn`, ExecutionsStarted/Succeeded/Failed/TimedOut/Aborted
/// counts, ExecutionTime in milliseconds).
fn workflow_panel(layout: &mut Layout, view: &EndpointView, machine: &str) {
    const STATES: &str = "AWS/States";
    let entry = |metric: &str, stat: &str, label: &str| json!([STATES, metric, "StateMachineArn", machine, { "stat": stat, "label": label }]);
    layout.x = GRID;
    layout.place(
        "metric",
        GRAPH,
        json!({
            "title": "Retraining workflow: executions per hour (started, succeeded, failed, timed out, aborted)",
            "view": "timeSeries",
            "stacked": false,
            "region": view.region,
            "period": WORKFLOW_PERIOD,
            "stat": "Sum",
            "metrics": [
                entry("ExecutionsStarted", "Sum", "started"),
                entry("ExecutionsSucceeded", "Sum", "succeeded"),
                entry("ExecutionsFailed", "Sum", "failed"),
                entry("ExecutionsTimedOut", "Sum", "timed out"),
                entry("ExecutionsAborted", "Sum", "aborted"),
            ],
        }),
    );
    layout.place(
        "metric",
        GRAPH,
        json!({
            "title": "Retraining workflow: execution time (milliseconds, average and maximum)",
            "view": "timeSeries",
            "stacked": false,
            "region": view.region,
            "period": WORKFLOW_PERIOD,
            "stat": "Average",
            "metrics": [
                entry("ExecutionTime", "Average", "average"),
                entry("ExecutionTime", "Maximum", "maximum"),
            ],
        }),
    );
}

/// The dashboard body of `view`: a heading, the alarms' states, the
/// endpoint-wide graphs, each variant's graphs, then the AppConfig
/// parameter rollouts and the retraining workflow's executions when the
/// endpoint has them.
pub fn dashboard_body(view: &EndpointView) -> Value {
    let mut layout = Layout::new();
    if !view.components.is_empty() {
        components_body(&mut layout, view);
    } else {
        variants_body(&mut layout, view);
    }
    if let Some(app) = &view.app_config {
        layout.x = GRID;
        app_config_panel(&mut layout, view, app);
    }
    if let Some(machine) = &view.state_machine_arn {
        workflow_panel(&mut layout, view, machine);
    }
    json!({ "widgets": layout.widgets })
}

/// The alarms' states, when there are alarms.
fn alarms_widget(layout: &mut Layout, view: &EndpointView) {
    if !view.alarm_arns.is_empty() {
        layout.place(
            "alarm",
            (GRID, 3),
            json!({
                "title": "Alarms (red: in ALARM)",
                "alarms": view.alarm_arns,
            }),
        );
    }
}

/// An endpoint hosting inference components: a heading, the alarms, its
/// instances (reserved and used), then each component's graphs, each
/// component starting a row.
fn components_body(layout: &mut Layout, view: &EndpointView) {
    let components: Vec<String> = view
        .components
        .iter()
        .map(|c| format!("`{}` (model `{}`)", c.name, c.variant))
        .collect();
    layout.place(
        "text",
        (GRID, 2),
        json!({
            "markdown": format!(
                "# inference-component endpoint `{}`\nComponents: {}. Latencies are in microseconds; \
                 a copy's utilization is of what it reserves (its compute requirements).",
                view.endpoint,
                components.join(", ")
            )
        }),
    );
    alarms_widget(layout, view);
    let gpu = view.components.iter().any(|c| c.gpu);
    for graph in metrics::components_endpoint(gpu) {
        layout.place("metric", GRAPH, metric_widget(view, &graph, None));
    }
    for component in &view.components {
        layout.x = GRID;
        for graph in metrics::component(component.gpu) {
            layout.place(
                "metric",
                GRAPH,
                metric_widget(view, &graph, Some(&component.name)),
            );
        }
    }
}

/// An endpoint of variants: a heading, the alarms, the endpoint-wide
/// graphs, then each variant's graphs, each variant starting a row.
fn variants_body(layout: &mut Layout, view: &EndpointView) {
    let variants: Vec<String> = view
        .variants
        .iter()
        .map(|v| {
            if v.instance_type.is_empty() {
                format!("`{}`", v.name)
            } else {
                format!("`{}` on {}", v.name, v.instance_type)
            }
        })
        .collect();
    layout.place(
        "text",
        (GRID, 2),
        json!({
            "markdown": format!(
                "# {} endpoint `{}`\nVariants: {}. Latencies are in microseconds.",
                kind_name(view.kind),
                view.endpoint,
                variants.join(", ")
            )
        }),
    );
    alarms_widget(layout, view);
    if view.kind == EndpointKind::Async {
        for graph in metrics::async_endpoint() {
            layout.place("metric", GRAPH, metric_widget(view, &graph, None));
        }
        if let Some((success, error)) = &view.topics {
            layout.place("metric", GRAPH, topics_widget(view, success, error));
        }
    }
    for variant in &view.variants {
        let gpu = metrics::has_gpu(&variant.instance_type);
        let graphs = match view.kind {
            EndpointKind::RealTime => metrics::realtime_variant(gpu),
            EndpointKind::Async => metrics::async_variant(gpu),
            EndpointKind::Serverless => metrics::serverless_variant(),
        };
        // Each variant starts a row.
        layout.x = GRID;
        for graph in graphs {
            layout.place(
                "metric",
                GRAPH,
                metric_widget(view, &graph, Some(&variant.name)),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::resources::cloudwatch::is_percentile;

    /// The widget types of the body structure reference.
    const WIDGET_TYPES: [&str; 6] = ["metric", "text", "log", "alarm", "explorer", "custom"];
    /// The plain statistics a metric widget takes, besides percentiles.
    const STATS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

    /// Every rule of "Dashboard Body Structure and Syntax" the body must
    /// keep: a `widgets` array (0-500); each widget a known `type`, `x`
    /// 0-23, `y` >= 0, `width` 1-24 within the grid, `height` 1-1000 and a
    /// `properties` object; no two widgets on the same cells; a metric
    /// widget with a `region`, a `period` of 60 seconds or a multiple, a
    /// valid `stat`, and `metrics` entries `[Namespace, MetricName,
    /// (DimensionName, DimensionValue)*, {options}?]`; an alarm widget with
    /// `alarms`; a text widget with `markdown`.
    pub(crate) fn assert_valid_body(body: &Value) {
        let widgets = body["widgets"].as_array().expect("a widgets array");
        assert!(widgets.len() <= 500);
        let mut cells = BTreeSet::new();
        for widget in widgets {
            let kind = widget["type"].as_str().expect("type");
            assert!(WIDGET_TYPES.contains(&kind), "{kind}");
            let number = |key: &str| {
                widget[key]
                    .as_u64()
                    .unwrap_or_else(|| panic!("{key}: {widget}"))
            };
            let (x, y, width, height) =
                (number("x"), number("y"), number("width"), number("height"));
            assert!(
                x <= 23 && (1..=24).contains(&width) && x + width <= 24,
                "{widget}"
            );
            assert!((1..=1000).contains(&height), "{widget}");
            for cx in x..x + width {
                for cy in y..y + height {
                    assert!(cells.insert((cx, cy)), "overlap at {cx},{cy}: {widget}");
                }
            }
            let properties = widget["properties"].as_object().expect("properties");
            match kind {
                "metric" => {
                    assert!(properties["region"].is_string());
                    let period = properties["period"].as_u64().unwrap();
                    assert!(period.is_multiple_of(60), "{period}");
                    let stat = properties["stat"].as_str().unwrap();
                    assert!(STATS.contains(&stat) || is_percentile(stat), "{stat}");
                    assert!(!properties["title"].as_str().unwrap().is_empty());
                    let metrics = properties["metrics"].as_array().unwrap();
                    assert!(!metrics.is_empty());
                    for metric in metrics {
                        let parts = metric.as_array().unwrap();
                        let (names, options) = match parts.last() {
                            Some(Value::Object(options)) => {
                                (&parts[..parts.len() - 1], Some(options))
                            }
                            _ => (&parts[..], None),
                        };
                        assert!(names.len() >= 2 && names.len() % 2 == 0, "{metric}");
                        assert!(names.iter().all(Value::is_string), "{metric}");
                        if let Some(stat) = options.and_then(|o| o.get("stat")) {
                            let stat = stat.as_str().unwrap();
                            assert!(STATS.contains(&stat) || is_percentile(stat), "{stat}");
                        }
                    }
                }
                "alarm" => assert!(!properties["alarms"].as_array().unwrap().is_empty()),
                "text" => assert!(properties["markdown"].is_string()),
                _ => {}
            }
        }
    }

    /// `(namespace, metric, dimensions)` of every line drawn.
    pub(crate) fn drawn(body: &Value) -> BTreeSet<(String, String, Vec<String>)> {
        let mut lines = BTreeSet::new();
        for widget in body["widgets"].as_array().unwrap() {
            let Some(metrics) = widget["properties"]["metrics"].as_array() else {
                continue;
            };
            for metric in metrics {
                let parts: Vec<String> = metric
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect();
                lines.insert((parts[0].clone(), parts[1].clone(), parts[2..].to_vec()));
            }
        }
        lines
    }

    fn view(kind: EndpointKind, variants: &[(&str, &str)]) -> EndpointView {
        EndpointView {
            region: "eu-west-1".into(),
            endpoint: "fraud".into(),
            kind,
            variants: variants
                .iter()
                .map(|(name, instance_type)| VariantView {
                    name: (*name).into(),
                    instance_type: (*instance_type).into(),
                })
                .collect(),
            topics: (kind == EndpointKind::Async)
                .then(|| ("fraud-success".into(), "fraud-error".into())),
            alarm_arns: vec![
                "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:fraud-unhealthy".into(),
            ],
            components: Vec::new(),
            app_config: None,
            state_machine_arn: None,
        }
    }

    fn variant_dims(variant: &str) -> Vec<String> {
        vec![
            "EndpointName".into(),
            "fraud".into(),
            "VariantName".into(),
            variant.into(),
        ]
    }

    fn has(body: &Value, namespace: &str, metric: &str, dims: Vec<String>) -> bool {
        drawn(body).contains(&(namespace.to_owned(), metric.to_owned(), dims))
    }

    #[test]
    fn a_realtime_dashboard_shows_each_variants_traffic_latency_errors_and_instances() {
        let body = dashboard_body(&view(
            EndpointKind::RealTime,
            &[("Primary", "ml.m5.large"), ("Gpu", "ml.g5.xlarge")],
        ));
        assert_valid_body(&body);
        for variant in ["Primary", "Gpu"] {
            for metric in [
                "Invocations",
                "InvocationsPerInstance",
                "ModelLatency",
                "OverheadLatency",
                "Invocation4XXErrors",
                "Invocation5XXErrors",
            ] {
                assert!(
                    has(&body, "AWS/SageMaker", metric, variant_dims(variant)),
                    "{metric}"
                );
            }
            for metric in ["CPUUtilization", "MemoryUtilization", "DiskUtilization"] {
                assert!(has(
                    &body,
                    "/aws/sagemaker/Endpoints",
                    metric,
                    variant_dims(variant)
                ));
            }
        }
        assert!(has(
            &body,
            "/aws/sagemaker/Endpoints",
            "GPUUtilization",
            variant_dims("Gpu")
        ));
        assert!(!has(
            &body,
            "/aws/sagemaker/Endpoints",
            "GPUUtilization",
            variant_dims("Primary")
        ));
        // p50, p90 and p99 of both latencies.
        let text = body.to_string();
        for percentile in ["p50", "p90", "p99"] {
            assert!(text.contains(&format!("\"stat\":\"{percentile}\"")));
        }
        let titles: Vec<&str> = body["widgets"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w["properties"]["title"].as_str())
            .collect();
        assert!(
            titles.contains(&"Primary: Model latency p50/p90/p99 (microseconds)"),
            "{titles:?}"
        );
        assert!(titles.contains(&"Gpu: GPU utilization % (compute, memory)"));
    }

    #[test]
    fn an_async_dashboard_shows_the_queue_failures_and_notifications() {
        let body = dashboard_body(&view(EndpointKind::Async, &[("Primary", "ml.m5.large")]));
        assert_valid_body(&body);
        let endpoint = vec!["EndpointName".to_owned(), "fraud".to_owned()];
        for metric in [
            "ApproximateBacklogSize",
            "ApproximateBacklogSizePerInstance",
            "HasBacklogWithoutCapacity",
            "ApproximateAgeOfOldestRequest",
        ] {
            assert!(
                has(&body, "AWS/SageMaker", metric, endpoint.clone()),
                "{metric}"
            );
        }
        assert!(has(
            &body,
            "AWS/SageMaker",
            "InvocationFailures",
            variant_dims("Primary")
        ));
        for topic in ["fraud-success", "fraud-error"] {
            let dims = vec!["TopicName".to_owned(), topic.to_owned()];
            assert!(has(&body, "AWS/SNS", "NumberOfMessagesPublished", dims));
        }
        let metrics: BTreeSet<String> = drawn(&body).into_iter().map(|(_, m, _)| m).collect();
        for unpublished in ["OverheadLatency", "Invocations", "InvocationsPerInstance"] {
            assert!(!metrics.contains(unpublished), "{unpublished}");
        }
    }

    #[test]
    fn a_serverless_dashboard_shows_cold_starts_and_memory() {
        let body = dashboard_body(&view(EndpointKind::Serverless, &[("Primary", "")]));
        assert_valid_body(&body);
        for metric in [
            "Invocations",
            "ModelLatency",
            "ModelSetupTime",
            "Invocation5XXErrors",
        ] {
            assert!(
                has(&body, "AWS/SageMaker", metric, variant_dims("Primary")),
                "{metric}"
            );
        }
        assert!(has(
            &body,
            "/aws/sagemaker/Endpoints",
            "MemoryUtilization",
            variant_dims("Primary")
        ));
        let metrics: BTreeSet<String> = drawn(&body).into_iter().map(|(_, m, _)| m).collect();
        assert!(!metrics.contains("CPUUtilization") && !metrics.contains("ApproximateBacklogSize"));
    }

    fn titles(body: &Value) -> Vec<String> {
        body["widgets"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w["properties"]["title"].as_str().map(str::to_owned))
            .collect()
    }

    #[test]
    fn a_dashboard_with_a_workflow_shows_its_executions_by_state_machine() {
        let machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:fraud-retrain-1a2b3c4d";
        let mut view = view(EndpointKind::RealTime, &[("Primary", "ml.m5.large")]);
        let without = dashboard_body(&view);
        view.state_machine_arn = Some(machine.into());
        let body = dashboard_body(&view);
        assert_valid_body(&body);
        let dims = vec!["StateMachineArn".to_owned(), machine.to_owned()];
        for metric in [
            "ExecutionsStarted",
            "ExecutionsSucceeded",
            "ExecutionsFailed",
            "ExecutionsTimedOut",
            "ExecutionsAborted",
            "ExecutionTime",
        ] {
            assert!(has(&body, "AWS/States", metric, dims.clone()), "{metric}");
        }
        let titles = titles(&body);
        assert!(titles.contains(
            &"Retraining workflow: executions per hour (started, succeeded, failed, timed out, aborted)".to_owned()
        ));
        assert!(titles.contains(
            &"Retraining workflow: execution time (milliseconds, average and maximum)".to_owned()
        ));
        // Without a workflow, nothing of Step Functions.
        assert!(drawn(&without).iter().all(|(ns, _, _)| ns != "AWS/States"));
        // The endpoint's graphs are unchanged: the panel comes after them.
        let before = without["widgets"].as_array().unwrap();
        assert_eq!(
            &body["widgets"].as_array().unwrap()[..before.len()],
            &before[..]
        );
    }

    #[test]
    fn a_dashboard_with_appconfig_links_its_deployments_and_shows_the_rollback_alarm() {
        let mut view = view(EndpointKind::Serverless, &[("Primary", "")]);
        let monitor = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:fraud-unhealthy";
        view.app_config = Some(AppConfigView {
            application_id: "abc1234".into(),
            environment_id: "env5678".into(),
            monitor_arns: vec![monitor.into()],
        });
        let body = dashboard_body(&view);
        assert_valid_body(&body);
        let widgets = body["widgets"].as_array().unwrap();
        let markdown: Vec<&str> = widgets
            .iter()
            .filter_map(|w| w["properties"]["markdown"].as_str())
            .collect();
        let panel = markdown
            .iter()
            .find(|m| m.starts_with("## Model parameters (AppConfig)"))
            .expect("an AppConfig panel");
        assert!(panel.contains(
            "(https://eu-west-1.console.aws.amazon.com/systems-manager/appconfig/applications/abc1234/environments/env5678?region=eu-west-1)"
        ), "{panel}");
        let rollback = widgets
            .iter()
            .find(|w| {
                w["properties"]["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Alarm that rolls back AppConfig"))
            })
            .expect("the rollback alarm's state");
        assert_eq!(rollback["type"], "alarm");
        assert_eq!(rollback["properties"]["alarms"], json!([monitor]));
        assert!(
            app_config_console_url("cn-north-1", view.app_config.as_ref().unwrap())
                .starts_with("https://console.amazonaws.cn/")
        );
    }

    #[test]
    fn a_components_dashboard_shows_each_component_by_its_name() {
        let mut view = view(EndpointKind::RealTime, &[]);
        view.variants.clear();
        view.components = vec![
            ComponentView {
                name: "fraud-Chat".into(),
                variant: "Chat".into(),
                gpu: true,
            },
            ComponentView {
                name: "fraud-Score".into(),
                variant: "Score".into(),
                gpu: false,
            },
        ];
        let body = dashboard_body(&view);
        assert_valid_body(&body);
        let component = |name: &str| vec!["InferenceComponentName".to_owned(), name.to_owned()];
        for name in ["fraud-Chat", "fraud-Score"] {
            for metric in [
                "Invocations",
                "InvocationsPerCopy",
                "ConcurrentRequestsPerCopy",
                "NoCapacityInvocationFailures",
                "ModelLatency",
                "OverheadLatency",
                "Invocation4XXErrors",
                "Invocation5XXErrors",
                "InvocationModelErrors",
            ] {
                assert!(
                    has(&body, "AWS/SageMaker", metric, component(name)),
                    "{metric}"
                );
            }
            for metric in ["CPUUtilizationNormalized", "MemoryUtilizationNormalized"] {
                assert!(has(
                    &body,
                    "/aws/sagemaker/InferenceComponents",
                    metric,
                    component(name)
                ));
            }
            assert!(
                titles(&body)
                    .iter()
                    .any(|t| t.starts_with(&format!("{name}: ")))
            );
        }
        // GPU graphs for the component whose copies have accelerators.
        let gpu = "GPUUtilizationNormalized";
        assert!(has(
            &body,
            "/aws/sagemaker/InferenceComponents",
            gpu,
            component("fraud-Chat")
        ));
        assert!(!has(
            &body,
            "/aws/sagemaker/InferenceComponents",
            gpu,
            component("fraud-Score")
        ));
        // The instances as a whole: what the components reserve, on the
        // endpoint's one variant.
        let endpoint = variant_dims("AllTraffic");
        for metric in ["CPUReservation", "MemoryReservation", "GPUReservation"] {
            assert!(
                has(&body, "/aws/sagemaker/Endpoints", metric, endpoint.clone()),
                "{metric}"
            );
        }
        // OverheadLatency has no percentiles; no per-variant graph either.
        for (_, metric, dims) in drawn(&body) {
            assert!(!dims.is_empty(), "{metric}");
        }
        assert!(!body.to_string().contains("\"VariantName\",\"Chat\""));
        assert!(
            body["widgets"][0]["properties"]["markdown"]
                .as_str()
                .unwrap()
                .starts_with("# inference-component endpoint `fraud`")
        );
    }

    #[test]
    fn the_validator_refuses_what_the_reference_refuses() {
        let bad_width = json!({"widgets": [{"type": "text", "x": 20, "y": 0, "width": 6, "height": 2,
                                             "properties": {"markdown": "x"}}]});
        assert!(std::panic::catch_unwind(|| assert_valid_body(&bad_width)).is_err());
        let overlap = json!({"widgets": [
            {"type": "text", "x": 0, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "a"}},
            {"type": "text", "x": 4, "y": 1, "width": 6, "height": 2, "properties": {"markdown": "b"}}]});
        assert!(std::panic::catch_unwind(|| assert_valid_body(&overlap)).is_err());
        let odd_metric = json!({"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 6, "height": 6,
            "properties": {"region": "us-east-1", "period": 60, "stat": "Sum", "title": "t",
                           "metrics": [["AWS/SageMaker", "Invocations", "EndpointName"]]}}]});
        assert!(std::panic::catch_unwind(|| assert_valid_body(&odd_metric)).is_err());
    }
}
