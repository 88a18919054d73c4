//! The deployer policy against the code and the README: every AWS call the
//! provider's sources make has a row in the permission table, every row is
//! still called, the binary prints the policy, and the README shows the
//! policy the code builds.

mod lexer;
mod readme;
mod source_scan;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use sagemaker_deployment_provider::aws::Service;
use sagemaker_deployment_provider::aws::permissions::{PERMISSIONS, deployer_policy};
use source_scan::{normalized, operations, pascal_case, scan};

/// The environment variable that makes the README test rewrite the README
/// instead of comparing (`make deployer-policy`).
const UPDATE: &str = "UPDATE_DEPLOYER_POLICY";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scan_sources() -> source_scan::Scan {
    let root = crate_dir();
    scan(&root, &root.join("src"))
}

fn table_operations() -> BTreeSet<(Service, String)> {
    PERMISSIONS
        .iter()
        .map(|row| (row.service, normalized(row.operation)))
        .collect()
}

fn listed(calls: impl IntoIterator<Item = String>) -> String {
    calls
        .into_iter()
        .map(|call| format!("  {call}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_scan_sees_the_calls_it_should() {
    let scan = scan_sources();
    // Guards against a pattern that matches nothing, which would let every
    // other check here pass vacuously.
    assert!(
        scan.labels.len() > 60,
        "only {} labelled AWS calls found",
        scan.labels.len()
    );
    assert!(
        scan.sdk_calls.len() > 60,
        "only {} SDK calls found",
        scan.sdk_calls.len()
    );
    assert!(
        scan.unreadable_labels.is_empty(),
        "label AWS calls as `.aws(Service::X, \"Operation\")` with a literal name, so that the permission check can read them:\n{}",
        listed(scan.unreadable_labels.clone())
    );
    // Every request is sent once: as many `.send()` as recognised SDK calls,
    // or some client is reached in a way the scan does not follow.
    assert_eq!(
        scan.sends.len(),
        scan.sdk_calls.len(),
        "the scan recognised {} SDK calls but the sources send {} requests; SDK calls:\n{}\nsends:\n{}",
        scan.sdk_calls.len(),
        scan.sends.len(),
        listed(
            scan.sdk_calls
                .iter()
                .map(|c| format!("{} {} at {}", c.service, c.operation, c.at))
        ),
        listed(scan.sends.clone())
    );
}

#[test]
fn every_label_names_the_sdk_call_it_classifies() {
    let scan = scan_sources();
    let called = operations(&scan.sdk_calls);
    let mislabelled: Vec<String> = scan
        .labels
        .iter()
        .filter(|label| !called.contains(&(label.service, normalized(&label.operation))))
        .map(|label| format!("{} {} at {}", label.service, label.operation, label.at))
        .collect();
    assert!(
        mislabelled.is_empty(),
        "labels naming an operation no SDK call makes:\n{}",
        listed(mislabelled)
    );
}

#[test]
fn every_aws_call_in_the_code_is_in_the_permission_table() {
    let scan = scan_sources();
    let table = table_operations();
    // One entry per missing (service, operation), with every place it is called.
    let mut missing: BTreeMap<(Service, String), (String, Vec<String>)> = BTreeMap::new();
    for call in scan.labels.iter().chain(&scan.sdk_calls) {
        let key = (call.service, normalized(&call.operation));
        if !table.contains(&key) {
            let entry = missing
                .entry(key)
                .or_insert_with(|| (pascal_case(&call.operation), Vec::new()));
            entry.1.push(call.at.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "AWS calls without a row in provider/src/aws/permissions/table.rs:\n{}",
        listed(missing.iter().map(|((service, _), (operation, at))| {
            format!("{service} {operation} (at {})", at.join(", "))
        }))
    );
}

#[test]
fn every_row_of_the_permission_table_is_still_called() {
    let scan = scan_sources();
    let mut called = operations(&scan.labels);
    called.extend(operations(&scan.sdk_calls));
    let stale: Vec<String> = PERMISSIONS
        .iter()
        .filter(|row| !called.contains(&(row.service, normalized(row.operation))))
        .map(|row| format!("{} {}", row.service, row.operation))
        .collect();
    assert!(
        stale.is_empty(),
        "rows of the permission table no code calls:\n{}",
        listed(stale)
    );
}

#[test]
fn the_binary_prints_the_policy_and_exits() {
    let output =
        std::process::Command::new(env!("CARGO_BIN_EXE_pulumi-resource-sagemaker-deployment"))
            .arg("--print-deployer-policy")
            .output()
            .expect("the provider binary runs");
    assert!(output.status.success(), "{output:?}");
    let printed: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the output is JSON");
    let built = serde_json::to_value(deployer_policy().expect("the policy builds")).unwrap();
    assert_eq!(printed, built);
    assert_eq!(printed["Version"], "2012-10-17");
    let actions: BTreeSet<&str> = printed["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap())
        .filter_map(|a| a.as_str())
        .collect();
    for needed in [
        "s3:PutEncryptionConfiguration",
        "s3:ListBucket",
        "sagemaker:UpdateEndpointWeightsAndCapacities",
        "iam:PassRole",
        "iam:CreateServiceLinkedRole",
        "kms:CreateGrant",
    ] {
        assert!(actions.contains(needed), "{needed} missing");
    }
}

fn readme_path() -> PathBuf {
    crate_dir().join("..").join("README.md")
}

fn first_difference(current: &str, wanted: &str) -> String {
    let line = current
        .lines()
        .zip(wanted.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| current.lines().count().min(wanted.lines().count()));
    format!(
        "line {}:\n  README:    {:?}\n  generated: {:?}",
        line + 1,
        current.lines().nth(line).unwrap_or("<end>"),
        wanted.lines().nth(line).unwrap_or("<end>")
    )
}

#[test]
fn the_readme_shows_the_policy_the_code_builds() {
    let path = readme_path();
    let current = std::fs::read_to_string(&path).expect("README.md is readable");
    let policy = deployer_policy().expect("the policy builds");
    let wanted = readme::splice(&current, &readme::block(&policy))
        .unwrap_or_else(|e| panic!("README.md: {e:?}"));
    if std::env::var_os(UPDATE).is_some() {
        if wanted != current {
            std::fs::write(&path, &wanted).expect("README.md is writable");
        }
        return;
    }
    assert!(
        wanted == current,
        "README.md's deployer policy is not the one the code builds; run `make deployer-policy`.\nFirst difference at {}",
        first_difference(&current, &wanted)
    );
}

#[test]
fn the_readme_says_how_to_print_the_policy() {
    let readme = std::fs::read_to_string(readme_path()).expect("README.md is readable");
    assert!(readme.contains("## Permissions the deploying identity needs"));
    assert!(readme.contains("pulumi-resource-sagemaker-deployment --print-deployer-policy"));
}
