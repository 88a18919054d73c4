//! Bad input, found by us: a property-based fuzzer that drives the provider
//! through its real gRPC server (in process, over loopback, with the
//! engine's generated client) for every resource and component the
//! registry serves, and for the provider configuration.
//!
//! Each case takes well-typed inputs built from the schema and breaks them
//! (values of the wrong kind, unknowns, secrets, NaN and infinities, huge
//! strings, deep nesting, missing and extra properties), or sends random
//! property maps. Check (with and without recorded inputs), Diff,
//! Construct, CheckConfig and Configure must then:
//! - answer (no panic, no reset stream, no call over the time limit);
//! - name a property in every failure;
//! - never show a secret's text in plain: not in a failure, not in an
//!   error, not in a returned input; an input made from a secret is secret;
//! - report a value of the wrong kind, or NaN or an infinity, at its path.
//!
//! `FUZZ_CASES` sets the number of cases (a few thousand by default, so
//! that `cargo test` stays quick; `make fuzz` runs 100,000), `FUZZ_SEED`
//! the seed (fixed by default, so a failure reproduces).

#[path = "../support/mod.rs"]
mod support;

mod generate;
mod oracle;
mod shapes;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use framework::proto::{self, ConstructRequest, DiffRequest, GetSchemaRequest};
use framework::wire::{PropertyValue, properties_to_struct, struct_to_properties};
use proptest::strategy::Union;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use support::Provider;
use tonic::transport::Channel;

use generate::Case;
use oracle::{Findings, Panics};

const DEFAULT_CASES: u32 = 2_000;
const DEFAULT_SEED: u64 = 0x5eed_f022;
/// The longest any one call may take.
const CALL_LIMIT: Duration = Duration::from_secs(10);

/// What a case is sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Resource(String),
    Component(String),
    Config,
}

impl Target {
    fn name(&self) -> &str {
        match self {
            Target::Resource(token) | Target::Component(token) => token,
            Target::Config => "provider configuration",
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(default)
}

#[test]
fn every_resource_component_and_setting_survives_bad_input() {
    let cases = env_number("FUZZ_CASES", u64::from(DEFAULT_CASES)) as u32;
    let seed = env_number("FUZZ_SEED", DEFAULT_SEED);
    let panics = Panics::install();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let provider = runtime.block_on(Provider::start());
    let mut client = provider.client();
    let schema: serde_json::Value = {
        let text = runtime
            .block_on(client.get_schema(GetSchemaRequest::default()))
            .expect("GetSchema answers")
            .into_inner()
            .schema;
        serde_json::from_str(&text).expect("the schema is JSON")
    };
    let dead_monitor = runtime.block_on(support::dead_address()).to_string();

    // Every token the registry serves, each with its input shape from the
    // schema: a token the schema leaves out fails here, not silently.
    let registry = sagemaker_deployment_provider::registry();
    let mut targets: Vec<(Target, shapes::ObjectShape)> = Vec::new();
    for token in registry.resource_tokens() {
        let shape = shapes::inputs_of(&schema, token)
            .unwrap_or_else(|| panic!("{token} is served but not in the schema"));
        targets.push((Target::Resource(token.to_owned()), shape));
    }
    for token in registry.component_tokens() {
        let shape = shapes::inputs_of(&schema, token)
            .unwrap_or_else(|| panic!("{token} is served but not in the schema"));
        targets.push((Target::Component(token.to_owned()), shape));
    }
    targets.push((Target::Config, shapes::config_of(&schema)));
    let served = schema["resources"].as_object().map_or(0, |r| r.len());
    assert_eq!(
        served,
        targets.len() - 1,
        "the schema and the registry list different tokens"
    );

    let strategy = Union::new(
        targets
            .iter()
            .enumerate()
            .map(|(index, (_, shape))| generate::cases(index, shape))
            .collect::<Vec<_>>(),
    );
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(seed)),
    );
    println!(
        "fuzz: {cases} cases over {} targets, seed {seed}",
        targets.len()
    );

    let findings = RefCell::new(Findings::default());
    let per_target = RefCell::new(BTreeMap::<String, u32>::new());
    let calls = RefCell::new(0u64);
    let started = Instant::now();
    let outcome = runner.run(&strategy, |case: Case| {
        let (target, _) = &targets[case.target];
        *per_target
            .borrow_mut()
            .entry(target.name().to_owned())
            .or_default() += 1;
        let before = panics.count();
        let mut found = Vec::new();
        let made = runtime.block_on(run_case(
            &mut client.clone(),
            target,
            &case,
            &dead_monitor,
            &mut found,
        ));
        *calls.borrow_mut() += made;
        for message in panics.since(before) {
            found.push(oracle::Finding::new("panic", target.name(), message));
        }
        findings.borrow_mut().record(found, &case, target.name());
        Ok(())
    });
    let elapsed = started.elapsed();
    runtime.block_on(provider.stop());
    outcome.expect("the runner ran every case");

    let findings = findings.into_inner();
    println!(
        "fuzz: {cases} cases, {} calls in {:.1} s ({:.0} calls/s), seed {seed}",
        calls.borrow(),
        elapsed.as_secs_f64(),
        *calls.borrow() as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    for (target, count) in per_target.borrow().iter() {
        println!("  {count:>6} cases  {target}");
    }
    println!("{}", findings.report());
    let missed: Vec<&str> = targets
        .iter()
        .map(|(t, _)| t.name())
        .filter(|name| !per_target.borrow().contains_key(*name))
        .collect();
    assert!(
        missed.is_empty() || cases < targets.len() as u32 * 4,
        "no case reached {missed:?}"
    );
    assert!(findings.is_empty(), "the fuzzer found problems (above)");
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    for (index, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&(seed.rotate_left(index as u32 * 16)).to_le_bytes());
    }
    bytes
}

/// Sends `case` to `target`, judging every answer; returns the calls made.
async fn run_case(
    client: &mut proto::resource_provider_client::ResourceProviderClient<Channel>,
    target: &Target,
    case: &Case,
    dead_monitor: &str,
    found: &mut Vec<oracle::Finding>,
) -> u64 {
    let news = properties_to_struct(&case.news);
    match target {
        Target::Resource(token) => {
            let urn = format!("urn:pulumi:dev::fuzz::{token}::case");
            let olds = case.valid.as_ref().map(properties_to_struct);
            let mut calls = 0;
            for olds in [None, olds] {
                calls += 1;
                let request = proto::CheckRequest {
                    urn: urn.clone(),
                    name: "case".into(),
                    r#type: token.clone(),
                    olds: olds.clone(),
                    news: Some(news.clone()),
                    ..Default::default()
                };
                match call(client.check(request)).await {
                    Ok(response) => {
                        oracle::judge_failures(&response.failures, case, token, found);
                        let inputs = struct_to_properties(response.inputs.as_ref());
                        oracle::judge_checked_inputs(&inputs, case, token, found);
                        if olds.is_none() {
                            oracle::judge_kind_errors(&response.failures, case, token, found);
                        }
                    }
                    Err(status) => oracle::judge_status(&status, case, token, found),
                }
                if case.valid.is_none() {
                    break;
                }
            }
            if let Some(valid) = &case.valid {
                calls += 1;
                let olds = properties_to_struct(valid);
                let request = DiffRequest {
                    id: "case-id".into(),
                    urn: urn.clone(),
                    name: "case".into(),
                    r#type: token.clone(),
                    olds: Some(olds.clone()),
                    old_inputs: Some(olds),
                    news: Some(news),
                    ..Default::default()
                };
                match call(client.diff(request)).await {
                    Ok(response) => {
                        let unchanged = case.applied.is_empty()
                            && !valid.values().any(PropertyValue::contains_unknowns);
                        oracle::judge_diff(&response, unchanged, case, token, found);
                    }
                    Err(status) => oracle::judge_status(&status, case, token, found),
                }
            }
            calls
        }
        Target::Component(token) => {
            let request = ConstructRequest {
                project: "fuzz".into(),
                stack: "dev".into(),
                dry_run: true,
                monitor_endpoint: dead_monitor.to_owned(),
                r#type: token.clone(),
                name: "case".into(),
                inputs: Some(news),
                accepts_output_values: true,
                ..Default::default()
            };
            match call(client.construct(request)).await {
                Ok(_) => found.push(oracle::Finding::new(
                    "construct answered without a monitor",
                    token,
                    String::new(),
                )),
                Err(status) => {
                    oracle::judge_status(&status, case, token, found);
                    oracle::judge_construct_failures(&status, case, token, found);
                }
            }
            1
        }
        Target::Config => {
            let request = proto::CheckRequest {
                urn: "urn:pulumi:dev::fuzz::pulumi:providers:sagemaker-deployment::default".into(),
                name: "default".into(),
                r#type: "pulumi:providers:sagemaker-deployment".into(),
                news: Some(news),
                ..Default::default()
            };
            match call(client.check_config(request)).await {
                Ok(response) => oracle::judge_failures(&response.failures, case, "config", found),
                Err(status) => oracle::judge_status(&status, case, "config", found),
            }
            // The AWS configuration chain would look for a region on the
            // network without one: always give one (it may be secret).
            let mut args = case.news.clone();
            if !matches!(args.get("region").and_then(PropertyValue::as_str), Some(r) if !r.is_empty())
            {
                args.insert("region".into(), "us-east-1".into());
            }
            let request = proto::ConfigureRequest {
                args: Some(properties_to_struct(&args)),
                accept_secrets: true,
                accept_resources: true,
                ..Default::default()
            };
            if let Err(status) = call(client.configure(request)).await {
                oracle::judge_status(&status, case, "config", found);
            }
            2
        }
    }
}

/// A call's answer, or an error status (a deadline one past the limit).
async fn call<T>(
    answer: impl std::future::Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> Result<T, tonic::Status> {
    match tokio::time::timeout(CALL_LIMIT, answer).await {
        Ok(result) => result.map(tonic::Response::into_inner),
        Err(_) => Err(tonic::Status::deadline_exceeded(format!(
            "{oracle} {CALL_LIMIT:?}",
            oracle = oracle::NO_ANSWER
        ))),
    }
}
