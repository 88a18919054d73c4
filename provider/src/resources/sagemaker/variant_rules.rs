//! SageMaker's rules for an endpoint's production variants, in one place.
//! The endpoint components check the seed's `modelList` with them at
//! preview, the EndpointConfig resource its `productionVariants` and
//! `initialCapacity`. Each caller describes its variants as a
//! [`VariantList`]: the values and the property path each was written at,
//! so that every failure names the user's own path and the rule it breaks.

use std::collections::BTreeSet;

use aws_sdk_sagemaker::types::ProductionVariantInstanceType;

use super::endpoint_config::ServerlessCompute;
use crate::naming::sagemaker_name_problem;
use framework::Failures;

/// The kind of endpoint a variant list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    /// Real-time inference on instances.
    RealTime,
    /// Asynchronous inference on instances.
    Async,
    /// Serverless inference.
    Serverless,
}

impl EndpointKind {
    /// Most variants SageMaker allows for this kind. Serverless Inference
    /// supports no "multiple production variants" (Developer Guide,
    /// Serverless Inference, feature exclusions): one, where the construct
    /// library this provider follows allowed five.
    pub fn max_variants(self) -> usize {
        match self {
            EndpointKind::Serverless => 1,
            _ => 10,
        }
    }

    /// `a real-time`, `an asynchronous`, `a serverless`.
    fn with_article(self) -> &'static str {
        match self {
            EndpointKind::RealTime => "a real-time",
            EndpointKind::Async => "an asynchronous",
            EndpointKind::Serverless => "a serverless",
        }
    }
}

/// A value and the property path it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    /// Property path, e.g. `modelList[2].VariantName`.
    pub path: String,
    /// The value written there.
    pub value: T,
}

impl<T> Field<T> {
    /// `value`, written at `path`.
    pub fn new(path: impl Into<String>, value: T) -> Self {
        Field {
            path: path.into(),
            value,
        }
    }
}

/// Serverless settings as written: the settings, where, and the property
/// names of memory, max concurrency and provisioned concurrency there.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerlessField {
    /// Path of the settings, e.g. `serverlessConfig`.
    pub path: String,
    /// The settings.
    pub compute: ServerlessCompute,
    /// Names of memory, max concurrency and provisioned concurrency under
    /// `path`.
    pub names: [&'static str; 3],
}

/// What a variant runs on, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Compute<'a> {
    /// An instance type, which must be `ml.<family>.<size>`.
    Instances(Field<&'a str>),
    /// Serverless settings of the variant's own.
    Serverless(ServerlessField),
    /// The list's shared serverless settings
    /// ([`VariantList::shared_serverless`]), checked once there.
    SharedServerless,
    /// Nothing: the path is where it belongs, the value what to set there
    /// (`an instance type or serverless compute`).
    Missing(Field<&'static str>),
    /// Both an instance type and serverless settings, at this path.
    Both(String),
}

/// One variant: its name and what it runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantFields<'a> {
    /// The variant name.
    pub name: Field<&'a str>,
    /// Its compute.
    pub compute: Compute<'a>,
}

/// A traffic weight and, for variants on instances, an instance count.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityFields {
    /// The relative traffic weight.
    pub weight: Field<f64>,
    /// The instance count.
    pub instance_count: Option<Field<u32>>,
}

/// An endpoint's variants, as one input wrote them.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantList<'a> {
    /// The endpoint kind, which sets the variant limit.
    pub kind: EndpointKind,
    /// Path of the list, e.g. `modelList`.
    pub path: &'a str,
    /// The variants, in list order.
    pub variants: Vec<VariantFields<'a>>,
    /// Where the weights are written, together (`modelList` when each
    /// variant carries its own, `initialCapacity` for a map of them).
    pub capacity_path: &'a str,
    /// Weights and counts, wherever they are written.
    pub capacity: Vec<CapacityFields>,
    /// Serverless settings for the variants without their own.
    pub shared_serverless: Option<ServerlessField>,
}

/// Checks `list` against SageMaker's variant rules: 1 to 10 variants (1
/// serverless), valid and unique names, `ml.` instance types, serverless
/// limits, one kind of compute per variant and per endpoint, weights not
/// negative and not all zero, instance counts at least 1.
pub fn check_variants(list: &VariantList<'_>, failures: &mut Failures) {
    let max = list.kind.max_variants();
    let count = list.variants.len();
    let rule = if max == 1 {
        format!(
            "{} endpoint has exactly 1 variant, got {count}: AWS Serverless Inference does not \
             support multiple production variants (stricter than the 5 the seed construct allowed); \
             split the models into one serverless endpoint each",
            list.kind.with_article()
        )
    } else {
        format!(
            "{} endpoint has 1 to {max} variants, got {count}",
            list.kind.with_article()
        )
    };
    failures.require((1..=max).contains(&count), list.path, rule);
    let on_instances = list
        .variants
        .iter()
        .any(|v| matches!(v.compute, Compute::Instances(_)));
    let serverless = list.variants.iter().any(|v| {
        matches!(
            v.compute,
            Compute::Serverless(_) | Compute::SharedServerless
        )
    });
    if on_instances && serverless {
        failures.push(
            list.path,
            "cannot mix serverless variants with instance-backed variants in one endpoint",
        );
    }
    let mut names = BTreeSet::new();
    for variant in &list.variants {
        let name = &variant.name;
        if let Some(problem) = sagemaker_name_problem(name.value) {
            failures.push(&name.path, problem);
        }
        if !names.insert(name.value) {
            failures.push(
                &name.path,
                format!("`{}` is used by more than one variant", name.value),
            );
        }
        check_compute(&variant.compute, failures);
    }
    check_capacity(list.capacity_path, &list.capacity, failures);
    if let Some(shared) = &list.shared_serverless {
        check_serverless(shared, failures);
    }
}

fn check_compute(compute: &Compute<'_>, failures: &mut Failures) {
    match compute {
        Compute::Instances(instance_type) => {
            if let Some(problem) = instance_type_problem(instance_type.value) {
                failures.push(&instance_type.path, problem);
            }
        }
        Compute::Serverless(settings) => check_serverless(settings, failures),
        Compute::SharedServerless => {}
        Compute::Missing(what) => {
            failures.push(&what.path, format!("a variant needs {}", what.value))
        }
        Compute::Both(path) => failures.push(
            path,
            "a variant is either instance-backed or serverless, not both",
        ),
    }
}

/// Weights not negative and not all zero; instance counts at least 1.
fn check_capacity(path: &str, capacity: &[CapacityFields], failures: &mut Failures) {
    for entry in capacity {
        let weight = &entry.weight;
        failures.require(
            weight.value >= 0.0 && weight.value.is_finite(),
            &weight.path,
            format!("must not be negative, got {}", weight.value),
        );
        if let Some(count) = &entry.instance_count {
            failures.require(count.value >= 1, &count.path, "must be at least 1");
        }
    }
    if !capacity.is_empty() && capacity.iter().all(|c| c.weight.value == 0.0) {
        failures.push(
            path,
            "variant weights must not all be zero: no variant would receive traffic",
        );
    }
}

/// Memory 1024-6144 MB in 1024 MB steps, concurrency 1-200, provisioned
/// concurrency 1 to the max concurrency.
fn check_serverless(settings: &ServerlessField, failures: &mut Failures) {
    let compute = &settings.compute;
    let [memory, concurrency, provisioned] = settings.names;
    let at = |name: &str| format!("{}.{name}", settings.path);
    let mb = compute.memory_size_in_mb;
    failures.require(
        (1024..=6144).contains(&mb) && mb.is_multiple_of(1024),
        at(memory),
        format!("must be 1024, 2048, 3072, 4096, 5120 or 6144 MB, got {mb}"),
    );
    failures.require(
        (1..=200).contains(&compute.max_concurrency),
        at(concurrency),
        format!("must be between 1 and 200, got {}", compute.max_concurrency),
    );
    if let Some(count) = compute.provisioned_concurrency {
        failures.require(
            count >= 1 && count <= compute.max_concurrency,
            at(provisioned),
            format!(
                "must be between 1 and maxConcurrency ({}), got {count}",
                compute.max_concurrency
            ),
        );
    }
}

/// The instance types SageMaker hosts endpoints on: the API model's
/// `ProductionVariantInstanceType` values, as this SDK knows them (the
/// emulator accepts exactly the same list from its own copy of the model).
pub fn hosting_instance_types() -> &'static [&'static str] {
    ProductionVariantInstanceType::values()
}

/// Why SageMaker would refuse `text` as a hosting instance type, or `None`.
pub fn instance_type_problem(text: &str) -> Option<String> {
    let known = hosting_instance_types();
    if known.contains(&text) {
        return None;
    }
    let family = text.rsplit_once('.').map(|(family, _)| family);
    let same_family: Vec<&str> = known
        .iter()
        .copied()
        .filter(|candidate| {
            family.is_some_and(|f| candidate.rsplit_once('.').map(|(cf, _)| cf) == Some(f))
        })
        .collect();
    let hint = if same_family.is_empty() {
        "e.g. ml.m5.large, ml.c6i.xlarge, ml.g5.xlarge".to_owned()
    } else {
        format!("this family has {}", same_family.join(", "))
    };
    Some(format!(
        "`{text}` is not one of the {} SageMaker hosting instance types ({hint})",
        known.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(list: &VariantList<'_>) -> Vec<(String, String)> {
        let mut failures = Failures::new();
        check_variants(list, &mut failures);
        failures
            .into_vec()
            .into_iter()
            .map(|f| (f.property, f.reason))
            .collect()
    }

    fn on_instances<'a>(kind: EndpointKind, names: &[&'a str]) -> VariantList<'a> {
        VariantList {
            kind,
            path: "variants",
            variants: names
                .iter()
                .enumerate()
                .map(|(i, name)| VariantFields {
                    name: Field::new(format!("variants[{i}].name"), *name),
                    compute: Compute::Instances(Field::new(
                        format!("variants[{i}].type"),
                        "ml.m5.large",
                    )),
                })
                .collect(),
            capacity_path: "variants",
            capacity: (0..names.len())
                .map(|i| CapacityFields {
                    weight: Field::new(format!("variants[{i}].weight"), 1.0),
                    instance_count: Some(Field::new(format!("variants[{i}].count"), 1)),
                })
                .collect(),
            shared_serverless: None,
        }
    }

    fn serverless(path: &str, memory: u32, concurrency: u32) -> ServerlessField {
        ServerlessField {
            path: path.into(),
            compute: ServerlessCompute {
                memory_size_in_mb: memory,
                max_concurrency: concurrency,
                provisioned_concurrency: None,
            },
            names: ["memory", "concurrency", "provisioned"],
        }
    }

    #[test]
    fn the_variant_limit_follows_the_kind_and_names_the_list() {
        let eleven: Vec<String> = (0..11).map(|i| format!("v{i}")).collect();
        let names: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert_eq!(
            failures(&on_instances(EndpointKind::Async, &names)),
            [(
                "variants".to_owned(),
                "an asynchronous endpoint has 1 to 10 variants, got 11".to_owned()
            )]
        );
        assert!(failures(&on_instances(EndpointKind::RealTime, &names[..10])).is_empty());
        let mut six = on_instances(EndpointKind::Serverless, &names[..6]);
        for variant in &mut six.variants {
            variant.compute = Compute::SharedServerless;
        }
        six.shared_serverless = Some(serverless("shared", 2048, 5));
        assert_eq!(
            failures(&six),
            [(
                "variants".to_owned(),
                "a serverless endpoint has exactly 1 variant, got 6: AWS Serverless Inference \
                 does not support multiple production variants (stricter than the 5 the seed \
                 construct allowed); split the models into one serverless endpoint each"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn each_failure_names_the_path_it_was_written_at() {
        let mut list = on_instances(EndpointKind::RealTime, &["a", "a", "bad name"]);
        list.variants[1].compute = Compute::Instances(Field::new("variants[1].type", "m5.large"));
        list.capacity[2].weight.value = -1.0;
        list.capacity[0].instance_count = Some(Field::new("variants[0].count", 0));
        let paths: Vec<String> = failures(&list).into_iter().map(|(path, _)| path).collect();
        assert_eq!(
            paths,
            [
                "variants[1].name",
                "variants[1].type",
                "variants[2].name",
                "variants[0].count",
                "variants[2].weight",
            ]
        );
    }

    #[test]
    fn weights_must_not_all_be_zero() {
        let mut list = on_instances(EndpointKind::RealTime, &["a", "b"]);
        list.capacity_path = "capacity";
        for entry in &mut list.capacity {
            entry.weight.value = 0.0;
        }
        assert_eq!(
            failures(&list),
            [(
                "capacity".to_owned(),
                "variant weights must not all be zero: no variant would receive traffic".to_owned()
            )]
        );
    }

    #[test]
    fn serverless_limits_name_each_setting() {
        let mut list = on_instances(EndpointKind::Serverless, &["a"]);
        let mut own = serverless("variants[0].own", 1500, 201);
        own.compute.provisioned_concurrency = Some(300);
        list.variants[0].compute = Compute::Serverless(own);
        list.capacity[0].instance_count = None;
        list.shared_serverless = Some(serverless("shared", 7168, 5));
        let paths: Vec<String> = failures(&list).into_iter().map(|(path, _)| path).collect();
        assert_eq!(
            paths,
            [
                "variants[0].own.memory",
                "variants[0].own.concurrency",
                "variants[0].own.provisioned",
                "shared.memory",
            ]
        );
    }

    #[test]
    fn compute_must_be_one_kind_per_variant_and_per_endpoint() {
        let mut list = on_instances(EndpointKind::Serverless, &["a", "b", "c", "d"]);
        list.variants[1].compute = Compute::Serverless(serverless("variants[1].own", 2048, 5));
        list.variants[2].compute = Compute::Missing(Field::new(
            "variants[2].own",
            "serverless settings, here or shared",
        ));
        list.variants[3].compute = Compute::Both("variants[3].own".into());
        assert_eq!(
            failures(&list),
            [
                (
                    "variants".to_owned(),
                    "a serverless endpoint has exactly 1 variant, got 4: AWS Serverless Inference \
                     does not support multiple production variants (stricter than the 5 the seed \
                     construct allowed); split the models into one serverless endpoint each"
                        .to_owned()
                ),
                (
                    "variants".to_owned(),
                    "cannot mix serverless variants with instance-backed variants in one endpoint"
                        .to_owned()
                ),
                (
                    "variants[2].own".to_owned(),
                    "a variant needs serverless settings, here or shared".to_owned()
                ),
                (
                    "variants[3].own".to_owned(),
                    "a variant is either instance-backed or serverless, not both".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn instance_types_are_the_hosting_types_of_the_api_model() {
        for current in [
            "ml.m5.large",
            "ml.g5.12xlarge",
            "ml.g5.xlarge",
            "ml.g6.xlarge",
            "ml.m7i.large",
            "ml.inf2.xlarge",
            "ml.c7g.large",
            "ml.p4d.24xlarge",
        ] {
            assert_eq!(instance_type_problem(current), None, "{current}");
        }
        for wrong in ["m5.large", "ml..large", "ml.m5.large.x", "ml.t2.nano"] {
            assert!(instance_type_problem(wrong).is_some(), "{wrong}");
        }
        let problem = instance_type_problem("ml.g5.huge").unwrap();
        assert!(problem.contains("ml.g5.xlarge"), "{problem}");
    }
}
