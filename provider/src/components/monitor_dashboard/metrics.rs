//! The metrics a dashboard shows for each kind of endpoint, and where
//! SageMaker publishes them.
//!
//! Sources (SageMaker Developer Guide):
//! - "Monitor Amazon SageMaker AI with Amazon CloudWatch", endpoint
//!   invocation metrics: `AWS/SageMaker`, dimensions `EndpointName,
//!   VariantName`: Invocations, InvocationsPerInstance, ModelLatency and
//!   OverheadLatency (microseconds, percentiles valid), Invocation4XXErrors,
//!   Invocation5XXErrors, ModelSetupTime (serverless, microseconds).
//! - same page, endpoint instance metrics: `/aws/sagemaker/Endpoints`,
//!   dimensions `EndpointName, VariantName`: CPUUtilization,
//!   MemoryUtilization (0-100%), DiskUtilization, GPUUtilization,
//!   GPUMemoryUtilization.
//! - "Alarms and logs for tracking metrics from asynchronous endpoints":
//!   `AWS/SageMaker`, dimension `EndpointName`: ApproximateBacklogSize,
//!   ApproximateBacklogSizePerInstance, ApproximateAgeOfOldestRequest
//!   (seconds); dimensions `EndpointName, VariantName`: InvocationFailures;
//!   OverheadLatency, Invocations and InvocationsPerInstance are not
//!   published for asynchronous endpoints. HasBacklogWithoutCapacity
//!   (dimension `EndpointName`) is the metric of "Autoscale an asynchronous
//!   endpoint" that wakes an endpoint scaled to zero.
//! - "Alarms and logs for tracking metrics from serverless endpoints": the
//!   exhaustive list for serverless endpoints: Invocations, ModelLatency,
//!   ModelSetupTime, MemoryUtilization and the 4xx/5xx errors.
//! - same page, inference components: `AWS/SageMaker` invocation metrics
//!   with dimension `InferenceComponentName`: Invocations, InvocationsPerCopy
//!   (Sum), ConcurrentRequestsPerCopy (Min, Max), Invocation4XXErrors,
//!   Invocation5XXErrors, InvocationModelErrors, ModelLatency (percentiles
//!   valid) and OverheadLatency (Average, Sum, Min, Max, Sample Count: no
//!   percentiles); `/aws/sagemaker/InferenceComponents`, dimension
//!   `InferenceComponentName`: CPUUtilizationNormalized,
//!   MemoryUtilizationNormalized, GPUUtilizationNormalized,
//!   GPUMemoryUtilizationNormalized (0-100% of the copy's reservation, else
//!   of its limit); `/aws/sagemaker/Endpoints`, dimensions `EndpointName,
//!   VariantName`, for endpoints hosting inference components:
//!   CPUReservation, MemoryReservation, GPUReservation (0-100% of the
//!   instances reserved by the components) and CPUUtilizationNormalized,
//!   GPUUtilizationNormalized (0-100%).
//! - "Scale an endpoint to zero instances": NoCapacityInvocationFailures
//!   (`AWS/SageMaker`, dimension `InferenceComponentName`), the requests
//!   that found no copy of a component, which wake it from zero copies.
//! - Amazon SNS Developer Guide, "Monitoring Amazon SNS topics using
//!   CloudWatch": `AWS/SNS`, dimension `TopicName`:
//!   NumberOfMessagesPublished, NumberOfNotificationsDelivered,
//!   NumberOfNotificationsFailed.

/// SageMaker's invocation metrics.
pub const SAGEMAKER: &str = "AWS/SageMaker";
/// SageMaker's instance metrics.
pub const INSTANCES: &str = "/aws/sagemaker/Endpoints";
/// SNS topic metrics.
pub const SNS: &str = "AWS/SNS";
/// Inference components' utilization metrics.
pub const COMPONENTS: &str = "/aws/sagemaker/InferenceComponents";

/// Which of an endpoint's dimensions a metric is published with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `EndpointName` only.
    Endpoint,
    /// `EndpointName` and `VariantName`.
    Variant,
    /// `EndpointName` and the `VariantName` of the one variant of an
    /// endpoint hosting inference components.
    ComponentsVariant,
    /// `InferenceComponentName` only.
    Component,
}

/// One line of a graph: a metric, the statistic drawn, its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The metric's namespace.
    pub namespace: &'static str,
    /// The metric's name.
    pub metric: &'static str,
    /// The statistic drawn, e.g. `Sum` or `p99`.
    pub stat: &'static str,
    /// The legend's label.
    pub label: &'static str,
}

const fn line(
    namespace: &'static str,
    metric: &'static str,
    stat: &'static str,
    label: &'static str,
) -> Line {
    Line {
        namespace,
        metric,
        stat,
        label,
    }
}

/// One graph: a title that says what a reader sees, and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// The widget's title (the variant's name is added for variant graphs).
    pub title: &'static str,
    /// Endpoint-wide or per variant.
    pub scope: Scope,
    /// The lines drawn.
    pub lines: Vec<Line>,
}

fn percentiles(metric: &'static str) -> Vec<Line> {
    vec![
        line(SAGEMAKER, metric, "p50", "p50"),
        line(SAGEMAKER, metric, "p90", "p90"),
        line(SAGEMAKER, metric, "p99", "p99"),
    ]
}

fn errors() -> Graph {
    Graph {
        title: "Errors per minute: 4xx (client) and 5xx (model/server)",
        scope: Scope::Variant,
        lines: vec![
            line(SAGEMAKER, "Invocation4XXErrors", "Sum", "4xx errors"),
            line(SAGEMAKER, "Invocation5XXErrors", "Sum", "5xx errors"),
        ],
    }
}

fn model_latency() -> Graph {
    Graph {
        title: "Model latency p50/p90/p99 (microseconds)",
        scope: Scope::Variant,
        lines: percentiles("ModelLatency"),
    }
}

fn instance_utilization() -> Graph {
    Graph {
        title: "Instance utilization % (CPU, memory, disk)",
        scope: Scope::Variant,
        lines: vec![
            line(INSTANCES, "CPUUtilization", "Average", "CPU %"),
            line(INSTANCES, "MemoryUtilization", "Average", "memory %"),
            line(INSTANCES, "DiskUtilization", "Average", "disk %"),
        ],
    }
}

fn gpu_utilization() -> Graph {
    Graph {
        title: "GPU utilization % (compute, memory)",
        scope: Scope::Variant,
        lines: vec![
            line(INSTANCES, "GPUUtilization", "Average", "GPU %"),
            line(INSTANCES, "GPUMemoryUtilization", "Average", "GPU memory %"),
        ],
    }
}

/// True when SageMaker instance type `instance_type` has GPUs: the
/// accelerated-computing families `ml.p*` and `ml.g*` (e.g. `ml.g5.xlarge`,
/// `ml.p4d.24xlarge`), whose second letter-group starts with a digit.
pub fn has_gpu(instance_type: &str) -> bool {
    let Some(family) = instance_type
        .strip_prefix("ml.")
        .and_then(|rest| rest.split('.').next())
    else {
        return false;
    };
    let mut chars = family.chars();
    matches!(chars.next(), Some('p' | 'g')) && chars.next().is_some_and(|c| c.is_ascii_digit())
}

/// The graphs of one variant of a real-time endpoint.
pub fn realtime_variant(gpu: bool) -> Vec<Graph> {
    let mut graphs = vec![
        Graph {
            title: "Requests per minute (all instances, per instance)",
            scope: Scope::Variant,
            lines: vec![
                line(SAGEMAKER, "Invocations", "Sum", "requests"),
                line(SAGEMAKER, "InvocationsPerInstance", "Sum", "per instance"),
            ],
        },
        model_latency(),
        Graph {
            title: "SageMaker overhead latency p50/p90/p99 (microseconds)",
            scope: Scope::Variant,
            lines: percentiles("OverheadLatency"),
        },
        errors(),
        instance_utilization(),
    ];
    if gpu {
        graphs.push(gpu_utilization());
    }
    graphs
}

/// The graphs of one variant of an asynchronous endpoint.
pub fn async_variant(gpu: bool) -> Vec<Graph> {
    let mut graphs = vec![
        model_latency(),
        errors(),
        Graph {
            title: "Failed asynchronous requests per minute",
            scope: Scope::Variant,
            lines: vec![line(SAGEMAKER, "InvocationFailures", "Sum", "failures")],
        },
        instance_utilization(),
    ];
    if gpu {
        graphs.push(gpu_utilization());
    }
    graphs
}

/// The endpoint-wide graphs of an asynchronous endpoint: its queue.
pub fn async_endpoint() -> Vec<Graph> {
    vec![
        Graph {
            title: "Queued requests (in all, per instance)",
            scope: Scope::Endpoint,
            lines: vec![
                line(SAGEMAKER, "ApproximateBacklogSize", "Average", "queued"),
                line(
                    SAGEMAKER,
                    "ApproximateBacklogSizePerInstance",
                    "Average",
                    "queued per instance",
                ),
            ],
        },
        Graph {
            title: "Requests waiting with no instance to run them (1 = yes)",
            scope: Scope::Endpoint,
            lines: vec![line(
                SAGEMAKER,
                "HasBacklogWithoutCapacity",
                "Maximum",
                "backlog without capacity",
            )],
        },
        Graph {
            title: "Age of the oldest queued request (seconds)",
            scope: Scope::Endpoint,
            lines: vec![line(
                SAGEMAKER,
                "ApproximateAgeOfOldestRequest",
                "Maximum",
                "oldest request age",
            )],
        },
    ]
}

/// The graphs of one variant of a serverless endpoint.
pub fn serverless_variant() -> Vec<Graph> {
    vec![
        Graph {
            title: "Requests per minute",
            scope: Scope::Variant,
            lines: vec![line(SAGEMAKER, "Invocations", "Sum", "requests")],
        },
        model_latency(),
        Graph {
            title: "Cold starts: model setup time p50/p99 (microseconds)",
            scope: Scope::Variant,
            lines: vec![
                line(SAGEMAKER, "ModelSetupTime", "p50", "p50"),
                line(SAGEMAKER, "ModelSetupTime", "p99", "p99"),
            ],
        },
        Graph {
            title: "Memory utilization %",
            scope: Scope::Variant,
            lines: vec![line(INSTANCES, "MemoryUtilization", "Average", "memory %")],
        },
        errors(),
    ]
}

/// The endpoint-wide graphs of an endpoint hosting inference components:
/// how much of its instances the components reserve and use.
pub fn components_endpoint(gpu: bool) -> Vec<Graph> {
    let mut reserved = vec![
        line(INSTANCES, "CPUReservation", "Average", "CPU reserved %"),
        line(
            INSTANCES,
            "MemoryReservation",
            "Average",
            "memory reserved %",
        ),
    ];
    let mut used = vec![
        line(INSTANCES, "CPUUtilizationNormalized", "Average", "CPU %"),
        line(INSTANCES, "MemoryUtilization", "Average", "memory %"),
    ];
    if gpu {
        reserved.push(line(
            INSTANCES,
            "GPUReservation",
            "Average",
            "GPU reserved %",
        ));
        used.push(line(
            INSTANCES,
            "GPUUtilizationNormalized",
            "Average",
            "GPU %",
        ));
    }
    vec![
        Graph {
            title: "Instances reserved by the components % (copies' compute requirements)",
            scope: Scope::ComponentsVariant,
            lines: reserved,
        },
        Graph {
            title: "Instance utilization % of all cores and devices",
            scope: Scope::ComponentsVariant,
            lines: used,
        },
    ]
}

/// The graphs of one inference component (`gpu`: its copies have
/// accelerators).
pub fn component(gpu: bool) -> Vec<Graph> {
    let at = |graph: Graph| Graph {
        scope: Scope::Component,
        ..graph
    };
    let mut graphs = vec![
        Graph {
            title: "Requests per minute (all copies, per copy)",
            scope: Scope::Component,
            lines: vec![
                line(SAGEMAKER, "Invocations", "Sum", "requests"),
                line(SAGEMAKER, "InvocationsPerCopy", "Sum", "per copy"),
            ],
        },
        Graph {
            title: "Concurrent requests per copy (maximum; what autoscaling tracks)",
            scope: Scope::Component,
            lines: vec![line(
                SAGEMAKER,
                "ConcurrentRequestsPerCopy",
                "Maximum",
                "concurrent per copy",
            )],
        },
        Graph {
            title: "Requests that found no copy per minute (they wake a component at zero copies)",
            scope: Scope::Component,
            lines: vec![line(
                SAGEMAKER,
                "NoCapacityInvocationFailures",
                "Sum",
                "no copy",
            )],
        },
        at(model_latency()),
        Graph {
            title: "SageMaker overhead latency average/maximum (microseconds)",
            scope: Scope::Component,
            lines: vec![
                line(SAGEMAKER, "OverheadLatency", "Average", "average"),
                line(SAGEMAKER, "OverheadLatency", "Maximum", "maximum"),
            ],
        },
        Graph {
            title: "Errors per minute: 4xx (client), 5xx (model/server), all model errors",
            scope: Scope::Component,
            lines: vec![
                line(SAGEMAKER, "Invocation4XXErrors", "Sum", "4xx errors"),
                line(SAGEMAKER, "Invocation5XXErrors", "Sum", "5xx errors"),
                line(SAGEMAKER, "InvocationModelErrors", "Sum", "model errors"),
            ],
        },
        Graph {
            title: "Copy utilization % of its reservation (CPU, memory)",
            scope: Scope::Component,
            lines: vec![
                line(COMPONENTS, "CPUUtilizationNormalized", "Average", "CPU %"),
                line(
                    COMPONENTS,
                    "MemoryUtilizationNormalized",
                    "Average",
                    "memory %",
                ),
            ],
        },
    ];
    if gpu {
        graphs.push(Graph {
            title: "Copy GPU utilization % of its reservation (compute, memory)",
            scope: Scope::Component,
            lines: vec![
                line(COMPONENTS, "GPUUtilizationNormalized", "Average", "GPU %"),
                line(
                    COMPONENTS,
                    "GPUMemoryUtilizationNormalized",
                    "Average",
                    "GPU memory %",
                ),
            ],
        });
    }
    graphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpu_families_are_told_from_the_others() {
        for gpu in [
            "ml.g5.xlarge",
            "ml.p4d.24xlarge",
            "ml.g4dn.xlarge",
            "ml.p3.2xlarge",
        ] {
            assert!(has_gpu(gpu), "{gpu}");
        }
        for cpu in [
            "ml.m5.large",
            "ml.c7g.large",
            "ml.inf2.xlarge",
            "ml.t2.medium",
            "g5",
        ] {
            assert!(!has_gpu(cpu), "{cpu}");
        }
    }

    #[test]
    fn asynchronous_variants_draw_no_metric_sagemaker_does_not_publish_for_them() {
        let drawn: Vec<&str> = async_variant(false)
            .iter()
            .chain(async_endpoint().iter())
            .flat_map(|g| g.lines.iter().map(|l| l.metric))
            .collect();
        for unpublished in ["OverheadLatency", "Invocations", "InvocationsPerInstance"] {
            assert!(!drawn.contains(&unpublished), "{unpublished}");
        }
    }
}
