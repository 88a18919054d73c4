//! Finds the AWS calls in the provider's sources, two independent ways:
//!
//! - the labels, `.aws(Service::X, "Operation")`, however `cargo fmt`
//!   splits them over lines;
//! - the SDK calls themselves, `<client>.<operation>()` on a field of
//!   `AwsClients` (`ctx.clients.s3.create_bucket()`) or on a local bound to
//!   one (`let s3 = &ctx.clients.s3; s3.head_bucket()`), labelled or not.
//!
//! Test code (`#[cfg(test)]` items and modules) is left out: it calls mocks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;
use sagemaker_deployment_provider::aws::Service;

use super::lexer::{Blanked, blank};

/// One call site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Call {
    /// The service called.
    pub service: Service,
    /// The operation: as labelled (`PutBucketEncryption`) for labels, as the
    /// SDK method (`put_bucket_encryption`) for SDK calls.
    pub operation: String,
    /// `path:line`, relative to the crate.
    pub at: String,
}

/// What the scan found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Every `.aws(Service::X, "Operation")`.
    pub labels: Vec<Call>,
    /// Every SDK operation called on a client.
    pub sdk_calls: Vec<Call>,
    /// Every `.send()`: each SDK call sends once.
    pub sends: Vec<String>,
    /// `.aws(` calls whose arguments are not a `Service::X` and a string
    /// literal: the scan cannot tell what they call.
    pub unreadable_labels: Vec<String>,
}

/// Methods of an SDK client that are not operations.
const CLIENT_METHODS: &[&str] = &["config", "clone"];

struct Patterns {
    aws_open: Regex,
    label: Regex,
    send: Regex,
    alias: Regex,
    call: Regex,
    cfg_test: Regex,
}

impl Patterns {
    fn new() -> Self {
        let re = |pattern: &str| Regex::new(pattern).expect("a valid pattern");
        Patterns {
            aws_open: re(r"\.\s*aws\s*\("),
            label: re(
                r#"^\.\s*aws\s*\(\s*(?:[a-z_]+\s*::\s*)*Service\s*::\s*([A-Za-z0-9]+)\s*,\s*"([A-Za-z0-9]+)"\s*,?\s*\)"#,
            ),
            send: re(r"\.\s*send\s*\(\s*\)"),
            alias: re(
                r"\blet\s+(?:mut\s+)?([a-z_][a-z0-9_]*)\s*=\s*&?\s*(?:[a-z_][a-z0-9_]*\s*\.\s*)*clients\s*\.\s*([a-z_][a-z0-9_]*)\s*(?:\.\s*clone\s*\(\s*\)\s*)?;",
            ),
            call: re(
                r"(?:\bclients\s*\.\s*([a-z_][a-z0-9_]*)|\b([a-z_][a-z0-9_]*))\s*\.\s*([a-z][a-z0-9_]*)\s*\(\s*\)",
            ),
            cfg_test: re(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]"),
        }
    }
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The directory a file's `mod name;` declarations resolve in.
fn module_dir(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("mod" | "lib" | "main") | None => parent,
        Some(stem) => parent.join(stem),
    }
}

/// Blanks the `#[cfg(test)]` items of `blanked` (both versions), and
/// returns the directories or files of `#[cfg(test)] mod name;` modules.
fn remove_test_items(blanked: &mut Blanked, file: &Path, patterns: &Patterns) -> Vec<PathBuf> {
    let code = blanked.code_only.clone();
    let bytes = code.as_bytes();
    let mut ranges = Vec::new();
    let mut test_modules = Vec::new();
    for found in patterns.cfg_test.find_iter(&code) {
        let body = bytes[found.end()..]
            .iter()
            .position(|b| *b == b'{' || *b == b';')
            .map(|n| found.end() + n);
        let Some(body) = body else { continue };
        if bytes[body] == b';' {
            let item = code[found.end()..body].trim();
            if let Some(name) = item.rsplit_once("mod ").map(|(_, name)| name.trim()) {
                let dir = module_dir(file);
                test_modules.push(dir.join(format!("{name}.rs")));
                test_modules.push(dir.join(name));
            }
            ranges.push((found.start(), body + 1));
            continue;
        }
        let mut depth = 0usize;
        let mut end = bytes.len();
        for (i, byte) in bytes.iter().enumerate().skip(body) {
            match byte {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        ranges.push((found.start(), end));
    }
    for (from, to) in ranges {
        for text in [&mut blanked.code_only, &mut blanked.without_comments] {
            let wiped: String = text[from..to]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' })
                .collect();
            text.replace_range(from..to, &wiped);
        }
    }
    test_modules
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Scans every `.rs` file under `src` (the crate's `src`, at `root`).
pub fn scan(root: &Path, src: &Path) -> Scan {
    let patterns = Patterns::new();
    let by_field: BTreeMap<&str, Service> = Service::ALL
        .iter()
        .map(|service| (service.client_field(), *service))
        .collect();
    let by_variant: BTreeMap<String, Service> = Service::ALL
        .iter()
        .map(|service| (format!("{service:?}"), *service))
        .collect();

    let mut files = Vec::new();
    let mut test_only: Vec<PathBuf> = Vec::new();
    for path in rust_files(src) {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut blanked = blank(&text);
        test_only.extend(remove_test_items(&mut blanked, &path, &patterns));
        files.push((path, blanked));
    }

    let mut scan = Scan::default();
    for (path, blanked) in &files {
        if test_only.iter().any(|t| path.starts_with(t)) {
            continue;
        }
        let shown = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        let at = |offset| format!("{shown}:{}", line_of(&blanked.code_only, offset));
        let code = &blanked.code_only;

        for open in patterns.aws_open.find_iter(code) {
            let text = &blanked.without_comments[open.start()..];
            let label = patterns.label.captures(text).and_then(|c| {
                let service = by_variant.get(&c[1]).copied()?;
                Some(Call {
                    service,
                    operation: c[2].to_owned(),
                    at: at(open.start()),
                })
            });
            match label {
                Some(call) => scan.labels.push(call),
                None => scan.unreadable_labels.push(at(open.start())),
            }
        }

        scan.sends
            .extend(patterns.send.find_iter(code).map(|m| at(m.start())));

        let aliases: BTreeMap<&str, Service> = patterns
            .alias
            .captures_iter(code)
            .filter_map(|c| {
                let service = by_field.get(c.get(2)?.as_str()).copied()?;
                Some((c.get(1)?.as_str(), service))
            })
            .collect();
        for c in patterns.call.captures_iter(code) {
            let service = match (c.get(1), c.get(2)) {
                (Some(field), _) => by_field.get(field.as_str()).copied(),
                (None, Some(alias)) => aliases.get(alias.as_str()).copied(),
                (None, None) => None,
            };
            let method = &c[3];
            if let Some(service) = service
                && !CLIENT_METHODS.contains(&method)
            {
                scan.sdk_calls.push(Call {
                    service,
                    operation: method.to_owned(),
                    at: at(c.get(0).map_or(0, |m| m.start())),
                });
            }
        }
    }
    scan
}

/// `put_bucket_encryption` and `PutBucketEncryption` both become
/// `putbucketencryption`.
pub fn normalized(operation: &str) -> String {
    operation.replace('_', "").to_ascii_lowercase()
}

/// `put_bucket_encryption` becomes `PutBucketEncryption`; a name already in
/// that form is kept.
pub fn pascal_case(operation: &str) -> String {
    operation
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The distinct (service, normalized operation) pairs of `calls`.
pub fn operations(calls: &[Call]) -> BTreeSet<(Service, String)> {
    calls
        .iter()
        .map(|call| (call.service, normalized(&call.operation)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway crate under the system temp directory.
    fn fake_crate(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "deployer-policy-scan-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    #[test]
    fn calls_are_found_however_they_are_written_and_test_code_is_not() {
        let lib = r#"
#[cfg(test)]
mod mock;

async fn f(ctx: &Context) {
    let s3 = &ctx.clients.s3;
    s3.head_bucket().bucket("b").send().await.aws(Service::S3, "HeadBucket")?;
    ctx.clients
        .sagemaker
        .describe_endpoint()
        .send()
        .await
        .aws(
            Service::SageMaker,
            "DescribeEndpoint",
        )?;
    let _ = s3.delete_bucket_policy().send().await; // unlabelled
    // s3.create_bucket().send().await.aws(Service::S3, "CreateBucket")
    let text = "s3.put_bucket_policy().send().await";
    request.send().await.aws(service, operation)?;
}

#[cfg(test)]
mod tests {
    fn t() { ctx.clients.kms.create_key().send(); }
}
"#;
        let mock = "fn m() { ctx.clients.iam.get_role().send(); }";
        let root = fake_crate("mixed", &[("src/lib.rs", lib), ("src/mock.rs", mock)]);
        let found = scan(&root, &root.join("src"));
        let names = |calls: &[Call]| -> Vec<(Service, String)> {
            calls
                .iter()
                .map(|c| (c.service, c.operation.clone()))
                .collect()
        };
        assert_eq!(
            names(&found.labels),
            [
                (Service::S3, "HeadBucket".to_owned()),
                (Service::SageMaker, "DescribeEndpoint".to_owned()),
            ]
        );
        assert_eq!(
            names(&found.sdk_calls),
            [
                (Service::S3, "head_bucket".to_owned()),
                (Service::SageMaker, "describe_endpoint".to_owned()),
                (Service::S3, "delete_bucket_policy".to_owned()),
            ]
        );
        assert_eq!(found.sends.len(), 4, "{:?}", found.sends);
        assert_eq!(found.unreadable_labels, ["src/lib.rs:20"]);
        assert_eq!(found.labels[1].at, "src/lib.rs:13");
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn operation_names_compare_across_forms() {
        assert_eq!(
            normalized("update_endpoint_weights_and_capacities"),
            normalized("UpdateEndpointWeightsAndCapacities")
        );
        assert_eq!(pascal_case("put_bucket_encryption"), "PutBucketEncryption");
        assert_eq!(pascal_case("PutBucketEncryption"), "PutBucketEncryption");
    }
}
