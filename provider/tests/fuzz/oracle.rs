//! What every answer must satisfy, and the findings when one does not:
//! grouped by what broke, where, with the smallest case that showed it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use framework::proto::{self, diff_response::DiffChanges};
use framework::wire::{PropertyMap, PropertyValue};
use tonic::Code;

use super::generate::{Applied, Case, Mutation, render};

/// The text of a status for a call that did not answer in time.
pub const NO_ANSWER: &str = "no answer within";

/// Cases that showed one problem.
#[derive(Debug)]
struct Seen {
    count: u64,
    /// The smallest case (by its size as text) and what it showed.
    example: String,
    example_size: usize,
}

/// One problem in one answer.
#[derive(Debug, Clone)]
pub struct Finding {
    what: &'static str,
    token: String,
    detail: String,
}

impl Finding {
    pub fn new(what: &'static str, token: &str, detail: String) -> Self {
        Finding {
            what,
            token: token.to_owned(),
            detail,
        }
    }
}

/// Every problem found, by kind and token.
#[derive(Debug, Default)]
pub struct Findings {
    seen: BTreeMap<(String, String), Seen>,
    cases_with_findings: u64,
}

impl Findings {
    pub fn record(&mut self, found: Vec<Finding>, case: &Case, _target: &str) {
        if found.is_empty() {
            return;
        }
        self.cases_with_findings += 1;
        let shown = describe(case);
        for finding in found {
            let key = (finding.what.to_owned(), finding.token.clone());
            let example = format!("{}\n      case: {shown}", cut(&finding.detail, 400));
            let size = shown.len();
            let seen = self.seen.entry(key).or_insert(Seen {
                count: 0,
                example: example.clone(),
                example_size: size,
            });
            seen.count += 1;
            if size < seen.example_size {
                seen.example = example;
                seen.example_size = size;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    pub fn report(&self) -> String {
        if self.seen.is_empty() {
            return "fuzz: findings: none".to_owned();
        }
        let mut text = format!(
            "fuzz: findings: {} kinds in {} cases",
            self.seen.len(),
            self.cases_with_findings
        );
        for ((what, token), seen) in &self.seen {
            text.push_str(&format!(
                "\n  [{what}] {token}: {} cases\n      {}",
                seen.count, seen.example
            ));
        }
        text
    }
}

fn cut(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}… ({} bytes)", &text[..at], text.len()),
    }
}

/// A case as text, long strings shortened.
fn describe(case: &Case) -> String {
    let mutations: Vec<String> = case
        .applied
        .iter()
        .map(|a| format!("{} at `{}`", mutation_name(&a.mutation), render(&a.path)))
        .collect();
    format!(
        "news {} | mutations [{}]",
        cut(&show_map(&case.news), 600),
        mutations.join(", ")
    )
}

fn mutation_name(mutation: &Mutation) -> String {
    match mutation {
        Mutation::WrongKind(_) => "wrong kind".into(),
        Mutation::Unknown(kind) => format!("unknown {kind:?}"),
        Mutation::UnknownOutput { secret } => format!("unknown output (secret: {secret})"),
        Mutation::Secret => "secret".into(),
        Mutation::NonFinite(n) => format!("{n}"),
        Mutation::Null => "null".into(),
        Mutation::Remove => "removed".into(),
        Mutation::Huge(n) => format!("string of {n}"),
        Mutation::Deep(n) => format!("nested {n} deep"),
        Mutation::Chaos(_) => "any value".into(),
        Mutation::ExtraKey(key, _) => format!("extra property `{key}`"),
    }
}

fn show_map(map: &PropertyMap) -> String {
    let entries: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{k}: {}", show(v)))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

fn show(value: &PropertyValue) -> String {
    match value {
        PropertyValue::String(text) if text.len() > 40 => {
            format!("\"{}…\" ({} bytes)", cut(text, 20), text.len())
        }
        PropertyValue::String(text) => format!("{text:?}"),
        PropertyValue::Array(items) => {
            let shown: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", shown.join(", "))
        }
        PropertyValue::Object(map) => show_map(map),
        PropertyValue::Secret(inner) => format!("secret({})", show(inner)),
        PropertyValue::Unknown(kind) => format!("<unknown {kind:?}>"),
        PropertyValue::Output(out) => format!(
            "output({}, secret: {})",
            out.value.as_deref().map_or("<unknown>".into(), show),
            out.secret
        ),
        other => format!("{other:?}"),
    }
}

/// The first secret marker of `case` that `text` shows.
fn leaked<'c>(text: &str, case: &'c Case) -> Option<&'c str> {
    case.secrets
        .iter()
        .map(String::as_str)
        .find(|secret| text.contains(secret))
}

/// An error status: it answered (no panic, reset or time-out) and shows no
/// secret.
pub fn judge_status(status: &tonic::Status, case: &Case, token: &str, found: &mut Vec<Finding>) {
    let message = status.message();
    if message.starts_with(NO_ANSWER) {
        found.push(Finding::new("no answer in time", token, message.to_owned()));
    } else if matches!(
        status.code(),
        Code::Unknown | Code::Internal | Code::Cancelled | Code::Unavailable
    ) && message.contains("h2 protocol error")
    {
        found.push(Finding::new(
            "stream reset (panic?)",
            token,
            message.to_owned(),
        ));
    }
    if let Some(secret) = leaked(message, case) {
        found.push(Finding::new(
            "secret shown in an error",
            token,
            format!("{secret} in: {message}"),
        ));
    }
    if message.len() > 16 * 1024 {
        found.push(Finding::new(
            "error message over 16 KiB",
            token,
            format!("{} bytes", message.len()),
        ));
    }
}

/// Check failures: each names a property and shows no secret.
pub fn judge_failures(
    failures: &[proto::CheckFailure],
    case: &Case,
    token: &str,
    found: &mut Vec<Finding>,
) {
    for failure in failures {
        if failure.property.is_empty() {
            found.push(Finding::new(
                "failure without a property",
                token,
                failure.reason.clone(),
            ));
        }
        if failure.property.contains('$') {
            found.push(Finding::new(
                "failure at an internal path",
                token,
                failure.property.clone(),
            ));
        }
        let text = format!("{}: {}", failure.property, failure.reason);
        if let Some(secret) = leaked(&text, case) {
            found.push(Finding::new(
                "secret shown in a failure",
                token,
                format!("{secret} in: {text}"),
            ));
        }
    }
}

/// A component's check failures, as Construct reports them (one per line
/// after the first): each names a property.
pub fn judge_construct_failures(
    status: &tonic::Status,
    _case: &Case,
    token: &str,
    found: &mut Vec<Finding>,
) {
    if status.code() != Code::InvalidArgument {
        return;
    }
    for line in status.message().lines().skip(1) {
        if line.starts_with(':') || line.trim().is_empty() {
            found.push(Finding::new(
                "failure without a property",
                token,
                status.message().to_owned(),
            ));
        }
    }
}

/// The inputs Check returns: a secret input stays secret, an input Check
/// computes is secret when any input is, and no plain value holds a
/// secret's text.
pub fn judge_checked_inputs(
    inputs: &PropertyMap,
    case: &Case,
    token: &str,
    found: &mut Vec<Finding>,
) {
    let any_secret = case.news.values().any(PropertyValue::contains_secrets);
    for (key, value) in inputs {
        let sent = case.news.get(key);
        if sent.is_some_and(PropertyValue::contains_secrets) && !value.contains_secrets() {
            found.push(Finding::new(
                "a secret input came back plain",
                token,
                key.clone(),
            ));
        }
        // (Compared as text: NaN is not equal to itself.)
        let computed = sent.map(|v| format!("{v:?}")) != Some(format!("{value:?}"));
        if computed && any_secret && !value.contains_secrets() && !value.contains_unknowns() {
            found.push(Finding::new(
                "a computed input of secret inputs came back plain",
                token,
                format!("{key} = {}", show(value)),
            ));
        }
        if let Some(secret) = plain_texts(value)
            .into_iter()
            .find_map(|t| leaked(&t, case))
        {
            found.push(Finding::new(
                "a secret's text came back in a plain input",
                token,
                format!("{key} shows {secret}"),
            ));
        }
    }
}

/// The strings of `value` that are not secret.
fn plain_texts(value: &PropertyValue) -> Vec<String> {
    let mut texts = Vec::new();
    fn walk(value: &PropertyValue, texts: &mut Vec<String>) {
        match value {
            PropertyValue::Secret(_) => {}
            PropertyValue::Output(out) if out.secret => {}
            PropertyValue::Output(out) => {
                if let Some(inner) = &out.value {
                    walk(inner, texts);
                }
            }
            PropertyValue::String(text) => texts.push(text.clone()),
            PropertyValue::Array(items) => items.iter().for_each(|v| walk(v, texts)),
            PropertyValue::Object(map) => map.values().for_each(|v| walk(v, texts)),
            _ => {}
        }
    }
    walk(value, &mut texts);
    texts
}

/// A single mutation that puts a value of the wrong kind (or NaN or an
/// infinity) where the type is known must fail at that path (or at a
/// property containing it).
pub fn judge_kind_errors(
    failures: &[proto::CheckFailure],
    case: &Case,
    token: &str,
    found: &mut Vec<Finding>,
) {
    let [
        Applied {
            path,
            mutation,
            shape,
        },
    ] = case.applied.as_slice()
    else {
        return;
    };
    let must_fail = matches!(mutation, Mutation::WrongKind(_) | Mutation::NonFinite(_));
    if !must_fail || case.news.values().any(PropertyValue::contains_unknowns) {
        return;
    }
    let at = render(path);
    // At the path, or at a property that holds it (a resource's own
    // rule about the whole list, say).
    let related = |property: &str| {
        property == at
            || at.starts_with(&format!("{property}."))
            || at.starts_with(&format!("{property}["))
    };
    if !failures.iter().any(|f| related(&f.property)) {
        found.push(Finding::new(
            "a value of the wrong kind was accepted",
            token,
            format!("{} at `{at}` (type {shape:?})", mutation_name(mutation)),
        ));
    }
}

/// Diff: well-formed, and no change between identical known inputs.
pub fn judge_diff(
    response: &proto::DiffResponse,
    unchanged: bool,
    _case: &Case,
    token: &str,
    found: &mut Vec<Finding>,
) {
    if unchanged && response.changes == DiffChanges::DiffSome as i32 {
        found.push(Finding::new(
            "identical inputs diff as changed",
            token,
            format!("{:?}", response.diffs),
        ));
    }
    if response
        .replaces
        .iter()
        .any(|r| !response.diffs.contains(r))
    {
        found.push(Finding::new(
            "a replacement not listed among the diffs",
            token,
            format!("{:?} / {:?}", response.replaces, response.diffs),
        ));
    }
}

/// Panics anywhere in the process (the server runs in it), counted and
/// kept: a panic in a handler resets the stream instead of answering.
#[derive(Clone)]
pub struct Panics(Arc<Mutex<Vec<String>>>);

impl Panics {
    pub fn install() -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::panic::set_hook(Box::new(move |info| {
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("panic{at}: {message}");
            if let Ok(mut seen) = record.lock() {
                seen.push(format!("{message}{at}"));
            }
        }));
        Panics(seen)
    }

    pub fn count(&self) -> usize {
        self.0.lock().map_or(0, |seen| seen.len())
    }

    /// Panic messages after the first `before`.
    pub fn since(&self, before: usize) -> Vec<String> {
        self.0.lock().map_or_else(
            |_| Vec::new(),
            |seen| seen[before.min(seen.len())..].to_vec(),
        )
    }
}
