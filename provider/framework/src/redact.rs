//! Secret values kept out of what the provider says. Cloud APIs quote the
//! values they refuse ("Value '...' at '...' failed to satisfy constraint";
//! SageMaker's CreateModel quotes a model's whole container environment), so
//! an error, a warning or a progress line about a call that carried a secret
//! may carry the secret too. Everything a resource operation or a component
//! says to the user passes through [`SecretTexts::redact`] with the secrets
//! of its inputs.

use std::borrow::Cow;
use std::sync::Arc;

use crate::check::CheckFailure;
use crate::error::ProviderError;
use crate::wire::{PropertyMap, PropertyValue};

/// What a secret is replaced with (the engine's own word for it).
pub const REDACTED: &str = "[secret]";

/// Texts this short are not redacted (nor `true`/`false`): replacing them
/// would turn ordinary words of a message into `[secret]`. The engine's own
/// log filter makes the same trade-off.
const SHORTEST: usize = 3;

/// The texts of the secret values of some inputs or state: the strings (and
/// numbers) inside each secret, longest first.
#[derive(Debug, Clone, Default)]
pub struct SecretTexts(Arc<[String]>);

impl SecretTexts {
    /// The secret texts of `maps`.
    pub fn of<'a>(maps: impl IntoIterator<Item = &'a PropertyMap>) -> Self {
        let mut texts = Vec::new();
        for map in maps {
            for value in map.values() {
                collect(value, false, &mut texts);
            }
        }
        texts.retain(|text| {
            text.chars().count() >= SHORTEST
                && !text.eq_ignore_ascii_case("true")
                && !text.eq_ignore_ascii_case("false")
        });
        // As quoted inside JSON, too.
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
        SecretTexts(texts.into())
    }

    /// True when there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `text` holds one of the secrets.
    pub fn occur_in(&self, text: &str) -> bool {
        self.0.iter().any(|secret| text.contains(secret.as_str()))
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.occur_in(text) {
            return Cow::Borrowed(text);
        }
        let mut redacted = text.to_owned();
        for secret in self.0.iter() {
            if redacted.contains(secret.as_str()) {
                redacted = redacted.replace(secret.as_str(), REDACTED);
            }
        }
        Cow::Owned(redacted)
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
            PropertyValue::String(text) if self.occur_in(&text) => {
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

    /// A check failure with the secrets redacted from its reason.
    pub fn redact_failure(&self, failure: CheckFailure) -> CheckFailure {
        let reason = self.redact(&failure.reason).into_owned();
        CheckFailure { reason, ..failure }
    }
}

/// Pushes the texts inside `value` that are secret (`secret`: inside a
/// secret already).
fn collect(value: &PropertyValue, secret: bool, texts: &mut Vec<String>) {
    match value {
        PropertyValue::String(text) if secret => texts.push(text.clone()),
        PropertyValue::Number(number) if secret => texts.push(if number.fract() == 0.0 {
            format!("{number:.0}")
        } else {
            number.to_string()
        }),
        PropertyValue::Secret(inner) => collect(inner, true, texts),
        PropertyValue::Output(out) => {
            if let Some(inner) = &out.value {
                collect(inner, secret || out.secret, texts);
            }
        }
        PropertyValue::Array(items) => items.iter().for_each(|item| collect(item, secret, texts)),
        PropertyValue::Object(map) | PropertyValue::Asset(map) | PropertyValue::Archive(map) => {
            map.values().for_each(|item| collect(item, secret, texts))
        }
        _ => {}
    }
}

impl ProviderError {
    /// The same error with `secrets` redacted from its message. An error
    /// from a cloud API that quotes a secret becomes a plain failure with
    /// the redacted message.
    pub fn redacted(self, secrets: &SecretTexts) -> ProviderError {
        if secrets.is_empty() || !secrets.occur_in(&self.to_string()) {
            return self;
        }
        let redact = |text: String| secrets.redact(&text).into_owned();
        match self {
            ProviderError::InvalidInputs(message) => ProviderError::InvalidInputs(redact(message)),
            ProviderError::InvalidConfig(message) => ProviderError::InvalidConfig(redact(message)),
            ProviderError::Service(error) => ProviderError::failed(redact(error.to_string())),
            ProviderError::Timeout { what, seconds } => ProviderError::Timeout {
                what: redact(what),
                seconds,
            },
            ProviderError::Failed { reason } => ProviderError::Failed {
                reason: redact(reason),
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
                reason: redact(reason),
            },
            ProviderError::Monitor(message) => ProviderError::Monitor(redact(message)),
            ProviderError::ChildFailed {
                token,
                name,
                message,
            } => ProviderError::ChildFailed {
                token,
                name,
                message: redact(message),
            },
            ProviderError::Internal(message) => ProviderError::Internal(redact(message)),
            other @ (ProviderError::UnknownType(_)
            | ProviderError::NotConfigured
            | ProviderError::Cancelled) => other,
        }
    }
}

#[cfg(test)]
mod tests {
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
    fn only_texts_inside_secrets_are_collected() {
        let secrets = SecretTexts::of([&inputs()]);
        let text =
            "MODE=fast API_KEY=sk-live-1234 name=plain-name pw=pa\"ss json=\"pa\\\"ss\" n=4242 no";
        assert_eq!(
            secrets.redact(text),
            "MODE=fast API_KEY=[secret] name=plain-name pw=[secret] json=\"[secret]\" n=[secret] no"
        );
        assert!(matches!(secrets.redact("nothing here"), Cow::Borrowed(_)));
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
        assert_eq!(
            secrets.redact_failure(failure).reason,
            "`[secret]` is too long"
        );
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
