//! Secret values kept out of everything the provider says in plain text.
//!
//! A check failure or an error message may quote an input (a resource's
//! rule saying what it got, an AWS error naming an object) or a value made
//! from one (a name built from a secret prefix). Wherever the text of a
//! secret input appears, it becomes `[secret]`; and a plain value that
//! holds such text is made secret itself.

use std::borrow::Cow;

use crate::check::CheckFailure;
use crate::error::ProviderError;
use crate::wire::{PropertyMap, PropertyValue};

/// What replaces a secret's text.
pub const REDACTED: &str = "[secret]";

/// Secrets this long are found anywhere in a text; shorter ones only as a
/// whole word (so that a secret `1` does not blank every digit).
const FOUND_ANYWHERE_FROM: usize = 4;

/// The texts of the secret values among a request's properties: strings,
/// numbers as they print, and the keys of secret objects.
#[derive(Debug, Default, Clone)]
pub struct SecretTexts {
    /// Longest first, no duplicates, none empty.
    texts: Vec<String>,
}

impl SecretTexts {
    /// The secret texts of every map in `maps`.
    pub fn of<'a>(maps: impl IntoIterator<Item = &'a PropertyMap>) -> Self {
        let mut texts = Vec::new();
        for map in maps {
            for value in map.values() {
                collect(value, false, &mut texts);
            }
        }
        texts.retain(|text: &String| !text.is_empty());
        // As quoted inside JSON too (a document embedding the secret).
        let escaped: Vec<String> = texts
            .iter()
            .filter_map(|text| {
                let json = serde_json::to_string(text).ok()?;
                let inner = &json[1..json.len() - 1];
                (inner != text).then(|| inner.to_owned())
            })
            .collect();
        texts.extend(escaped);
        texts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        texts.dedup();
        SecretTexts { texts }
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// `text` with every secret in it replaced by [`REDACTED`].
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut spans = self.spans(text);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (start, end) in spans {
            if end <= copied {
                continue;
            }
            if start >= copied {
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
            }
            copied = end;
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    /// True when `text` holds a secret.
    pub fn found_in(&self, text: &str) -> bool {
        !self.spans(text).is_empty()
    }

    /// True when a plain (not secret) part of `value` holds a secret's
    /// text: the value was made from a secret.
    pub fn revealed_by(&self, value: &PropertyValue) -> bool {
        !self.is_empty() && reveals(value, self)
    }

    /// `value` with every string that holds one of the secrets made secret:
    /// what a component passes on or returns keeps a secret input's
    /// secretness even where the component's types read it as plain text
    /// (a name made from it, a document embedding it).
    pub fn mark(&self, value: PropertyValue) -> PropertyValue {
        if self.is_empty() {
            return value;
        }
        match value {
            PropertyValue::String(text) if self.found_in(&text) => {
                PropertyValue::Secret(Box::new(PropertyValue::String(text)))
            }
            PropertyValue::Array(items) => {
                PropertyValue::Array(items.into_iter().map(|item| self.mark(item)).collect())
            }
            PropertyValue::Object(map) => PropertyValue::Object(
                map.into_iter()
                    .map(|(key, item)| (key, self.mark(item)))
                    .collect(),
            ),
            PropertyValue::Output(mut out) if !out.secret => {
                out.value = out.value.map(|inner| Box::new(self.mark(*inner)));
                PropertyValue::Output(out)
            }
            other => other,
        }
    }

    /// A failure with the secrets in its property path and reason redacted.
    pub fn failure(&self, failure: CheckFailure) -> CheckFailure {
        if self.is_empty() {
            return failure;
        }
        CheckFailure::new(
            self.redact(&failure.property).into_owned(),
            self.redact(&failure.reason).into_owned(),
        )
    }

    /// An error with the secrets in its text redacted.
    pub fn error(&self, error: ProviderError) -> ProviderError {
        if self.is_empty() {
            return error;
        }
        let clean = |text: String| match self.redact(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(redacted) => redacted,
        };
        match error {
            ProviderError::InvalidInputs(text) => ProviderError::InvalidInputs(clean(text)),
            ProviderError::InvalidConfig(text) => ProviderError::InvalidConfig(clean(text)),
            ProviderError::Service(inner) => {
                let text = inner.to_string();
                if self.found_in(&text) {
                    // Still a cloud call's error, so that the server names
                    // the resource operation it failed.
                    ProviderError::Service(Box::new(RedactedServiceError(clean(text))))
                } else {
                    ProviderError::Service(inner)
                }
            }
            ProviderError::Timeout { what, seconds } => ProviderError::Timeout {
                what: clean(what),
                seconds,
            },
            ProviderError::Failed { reason } => ProviderError::Failed {
                reason: clean(reason),
            },
            ProviderError::PartialFailure {
                id,
                outputs,
                inputs,
                reason,
            } => ProviderError::PartialFailure {
                id,
                outputs,
                inputs,
                reason: clean(reason),
            },
            ProviderError::Monitor(text) => ProviderError::Monitor(clean(text)),
            ProviderError::ChildFailed {
                token,
                name,
                message,
            } => ProviderError::ChildFailed {
                token,
                name: clean(name),
                message: clean(message),
            },
            ProviderError::Internal(text) => ProviderError::Internal(clean(text)),
            other @ (ProviderError::UnknownType(_)
            | ProviderError::UnknownFunction(_)
            | ProviderError::NotConfigured
            | ProviderError::Cancelled) => other,
        }
    }

    /// Byte ranges of `text` that are secrets.
    fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        for secret in &self.texts {
            let whole_word_only = secret.chars().count() < FOUND_ANYWHERE_FROM;
            for (start, found) in text.match_indices(secret.as_str()) {
                let end = start + found.len();
                if whole_word_only && !is_whole_word(text, start, end) {
                    continue;
                }
                spans.push((start, end));
            }
        }
        spans
    }
}

/// A cloud API call's error whose text quoted a secret, with the secret
/// redacted.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RedactedServiceError(String);

impl ProviderError {
    /// The same error with `secrets` redacted from its message (see
    /// [`SecretTexts::error`]).
    pub fn redacted(self, secrets: &SecretTexts) -> ProviderError {
        secrets.error(self)
    }
}

/// True when `text[start..end]` is not part of a longer word or number
/// (`1.9` holds no whole `9`; `got 9.` does).
fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut before = text[..start].chars().rev();
    let before_ok = match before.next() {
        None => true,
        Some('.') => !before.next().is_some_and(|c| c.is_ascii_digit()),
        Some(c) => !word(c),
    };
    let mut after = text[end..].chars();
    let after_ok = match after.next() {
        None => true,
        Some('.') => !after.next().is_some_and(|c| c.is_ascii_digit()),
        Some(c) => !word(c),
    };
    before_ok && after_ok
}

/// Adds the texts of the secret parts of `value` to `texts`.
fn collect(value: &PropertyValue, secret: bool, texts: &mut Vec<String>) {
    match value {
        PropertyValue::Secret(inner) => collect(inner, true, texts),
        PropertyValue::Output(out) => {
            if let Some(inner) = &out.value {
                collect(inner, secret || out.secret, texts);
            }
        }
        PropertyValue::String(text) if secret => texts.push(text.clone()),
        PropertyValue::Number(number) if secret && number.is_finite() => {
            texts.push(number_text(*number));
        }
        PropertyValue::Array(items) => items.iter().for_each(|v| collect(v, secret, texts)),
        PropertyValue::Object(map) | PropertyValue::Asset(map) | PropertyValue::Archive(map) => {
            for (key, item) in map {
                if secret {
                    texts.push(key.clone());
                }
                collect(item, secret, texts);
            }
        }
        PropertyValue::ResourceReference(reference) if secret => {
            texts.push(reference.urn.clone());
            if let Some(id) = &reference.id {
                collect(id, secret, texts);
            }
        }
        _ => {}
    }
}

/// A number as messages print it: integers without a fraction.
fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

fn reveals(value: &PropertyValue, secrets: &SecretTexts) -> bool {
    match value {
        PropertyValue::Secret(_) => false,
        PropertyValue::Output(out) => {
            !out.secret && out.value.as_deref().is_some_and(|v| reveals(v, secrets))
        }
        PropertyValue::String(text) => secrets.found_in(text),
        PropertyValue::Array(items) => items.iter().any(|v| reveals(v, secrets)),
        PropertyValue::Object(map) | PropertyValue::Asset(map) | PropertyValue::Archive(map) => map
            .iter()
            .any(|(key, v)| secrets.found_in(key) || reveals(v, secrets)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::OutputValue;

    fn secret(value: PropertyValue) -> PropertyValue {
        PropertyValue::Secret(Box::new(value))
    }

    fn texts() -> SecretTexts {
        let mut map = PropertyMap::new();
        map.insert("password".into(), secret("hunter2".into()));
        map.insert("days".into(), secret(PropertyValue::Number(9.0)));
        map.insert("plain".into(), "visible".into());
        map.insert(
            "wrapped".into(),
            PropertyValue::Output(OutputValue {
                value: Some(Box::new(PropertyValue::Array(vec!["deep-value".into()]))),
                secret: true,
                dependencies: Vec::new(),
            }),
        );
        SecretTexts::of([&map])
    }

    #[test]
    fn secret_texts_are_replaced_wherever_they_appear() {
        let secrets = texts();
        assert_eq!(
            secrets.redact("name `hunter2-config` is taken; deep-value too"),
            "name `[secret]-config` is taken; [secret] too"
        );
        assert_eq!(secrets.redact("visible stays"), "visible stays");
    }

    #[test]
    fn short_secrets_are_replaced_only_as_whole_words() {
        let secrets = texts();
        assert_eq!(
            secrets.redact("must be between 7 and 30, got 9."),
            "must be between 7 and 30, got [secret]."
        );
        assert_eq!(secrets.redact("99 and 1.9 stay"), "99 and 1.9 stay");
    }

    #[test]
    fn a_plain_value_made_from_a_secret_reveals_it() {
        let secrets = texts();
        assert!(secrets.revealed_by(&"hunter2-6703fbaa98".into()));
        assert!(!secrets.revealed_by(&secret("hunter2-6703fbaa98".into())));
        assert!(!secrets.revealed_by(&"unrelated".into()));
    }

    #[test]
    fn errors_keep_their_kind_and_lose_the_secret() {
        let secrets = texts();
        let error = secrets.error(ProviderError::InvalidInputs(
            "kms:Key: description: got `hunter2`".into(),
        ));
        assert!(
            matches!(&error, ProviderError::InvalidInputs(text) if text == "kms:Key: description: got `[secret]`")
        );
    }
}

#[cfg(test)]
mod secret_inputs {
    use super::*;
    use crate::wire::OutputValue;

    fn inputs() -> PropertyMap {
        let environment: PropertyMap = [
            (
                "API_KEY".to_owned(),
                PropertyValue::Secret(Box::new("sk-live-1234".into())),
            ),
            ("MODE".to_owned(), "fast".into()),
        ]
        .into();
        [
            ("environment".to_owned(), PropertyValue::Object(environment)),
            (
                "password".to_owned(),
                PropertyValue::Output(OutputValue {
                    value: Some(Box::new(PropertyValue::Array(vec![
                        "pa\"ss".into(),
                        "no".into(),
                        PropertyValue::Number(4242.0),
                    ]))),
                    secret: true,
                    dependencies: Vec::new(),
                }),
            ),
            ("name".to_owned(), "plain-name".into()),
        ]
        .into()
    }

    #[test]
    fn an_aws_error_quoting_a_secret_is_redacted_and_others_are_kept() {
        let secrets = SecretTexts::of([&inputs()]);
        let quoting = ProviderError::Service(
            "Environment variable map cannot be specified ... Model {API_KEY=sk-live-1234}".into(),
        );
        assert_eq!(
            quoting.redacted(&secrets).to_string(),
            "Environment variable map cannot be specified ... Model {API_KEY=[secret]}"
        );
        let unrelated = ProviderError::Timeout {
            what: "creating endpoint".into(),
            seconds: 5,
        };
        assert!(matches!(
            unrelated.redacted(&secrets),
            ProviderError::Timeout { seconds: 5, .. }
        ));
        let failure = CheckFailure::new("name", "`sk-live-1234` is too long");
        assert_eq!(secrets.failure(failure).reason, "`[secret]` is too long");
    }

    #[test]
    fn strings_holding_a_secret_are_marked_secret() {
        let secrets = SecretTexts::of([&inputs()]);
        let child = PropertyValue::Object(
            [
                ("prefix".to_owned(), "model-sk-live-1234-v1".into()),
                ("mode".to_owned(), "fast".into()),
                (
                    "list".to_owned(),
                    PropertyValue::Array(vec!["sk-live-1234".into(), "other".into()]),
                ),
            ]
            .into(),
        );
        let PropertyValue::Object(marked) = secrets.mark(child) else {
            panic!("an object stays an object");
        };
        assert!(marked["prefix"].is_secret());
        assert_eq!(marked["mode"], PropertyValue::from("fast"));
        let PropertyValue::Array(list) = &marked["list"] else {
            panic!("a list stays a list");
        };
        assert!(list[0].is_secret() && !list[1].is_secret());
    }

    #[test]
    fn secrets_are_found_as_quoted_inside_json_too() {
        let secrets = SecretTexts::of([&inputs()]);
        assert_eq!(
            secrets.redact("pw=pa\"ss json=\"pa\\\"ss\" key=sk-live-1234"),
            "pw=[secret] json=\"[secret]\" key=[secret]"
        );
        assert!(matches!(secrets.redact("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn no_secrets_redact_nothing() {
        let secrets = SecretTexts::of([&PropertyMap::new()]);
        assert!(secrets.is_empty());
        let error = ProviderError::failed("sk-live-1234");
        assert_eq!(error.redacted(&secrets).to_string(), "sk-live-1234");
    }
}

#[cfg(test)]
mod through_the_adapter {
    use std::sync::Arc;

    use async_trait::async_trait;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::adapter::{DynResource, ResourceAdapter};
    use crate::testing::{Note, NoteInputs, NoteOutputs, Store, TestPackage};
    use crate::{Context, Created, CustomResource, EngineLogger, Failures, ReadOutcome, Result};

    /// A note the store refuses, quoting it (as cloud APIs quote the values
    /// they refuse), and whose check quotes it too.
    struct RefusedNote;

    #[async_trait]
    impl CustomResource for RefusedNote {
        type Provider = TestPackage;
        const TOKEN: &'static str = "example:index:RefusedNote";
        type Inputs = NoteInputs;
        type Outputs = NoteOutputs;

        fn check(&self, inputs: &NoteInputs) -> Failures {
            let mut failures = Failures::new();
            failures.push("text", format!("`{}` is not a good start", inputs.text));
            failures
        }

        async fn create(
            &self,
            _ctx: &Context<TestPackage>,
            inputs: &NoteInputs,
        ) -> Result<Created<NoteOutputs>> {
            Err(ProviderError::Service(
                format!(
                    "Value '{}' at 'text' failed to satisfy constraint",
                    inputs.text
                )
                .into(),
            ))
        }

        async fn read(
            &self,
            ctx: &Context<TestPackage>,
            id: &str,
            outputs: &NoteOutputs,
        ) -> Result<ReadOutcome<NoteInputs, NoteOutputs>> {
            Note.read(ctx, id, outputs).await
        }

        async fn delete(
            &self,
            _ctx: &Context<TestPackage>,
            _id: &str,
            outputs: &NoteOutputs,
        ) -> Result<()> {
            Err(ProviderError::failed(format!(
                "cannot delete a note by {}",
                outputs.inputs.author.as_str()
            )))
        }
    }

    fn context() -> Context<TestPackage> {
        Context {
            clients: Arc::new(Store::default()),
            engine: Arc::new(EngineLogger::new(None)),
            urn: "urn:pulumi:dev::p::example:index:RefusedNote::n".into(),
            cancel: CancellationToken::new(),
            timeout: None,
            secrets: SecretTexts::default(),
            first_create: false,
        }
    }

    fn secret_note() -> PropertyMap {
        [
            (
                "text".to_owned(),
                PropertyValue::Secret(Box::new("the launch code".into())),
            ),
            (
                "author".to_owned(),
                PropertyValue::Secret(Box::new("agent-007".into())),
            ),
        ]
        .into()
    }

    #[tokio::test]
    async fn an_error_quoting_a_secret_input_reaches_the_engine_redacted() {
        let adapter = ResourceAdapter::new(RefusedNote);
        let error = adapter
            .create(&context(), &secret_note())
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "Value '[secret]' at 'text' failed to satisfy constraint"
        );
        let recorded: PropertyMap = [
            ("text".to_owned(), "a note".into()),
            (
                "author".to_owned(),
                PropertyValue::Secret(Box::new("agent-007".into())),
            ),
            ("noteId".to_owned(), "note-1".into()),
        ]
        .into();
        let error = adapter
            .delete(&context(), "note-1", &recorded)
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(error, "cannot delete a note by [secret]");
    }

    #[test]
    fn a_check_failure_quoting_a_secret_input_is_redacted() {
        let adapter = ResourceAdapter::new(RefusedNote);
        let (_, failures) = DynResource::check(&adapter, &secret_note(), None);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].reason, "`[secret]` is not a good start");
        let plain: PropertyMap = [
            ("text".to_owned(), "hello".into()),
            ("author".to_owned(), "me".into()),
        ]
        .into();
        let (_, failures) = DynResource::check(&adapter, &plain, None);
        assert_eq!(failures[0].reason, "`hello` is not a good start");
    }
}
