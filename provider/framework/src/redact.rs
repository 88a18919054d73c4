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
                    ProviderError::failed(clean(text))
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
