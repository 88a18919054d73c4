//! Why a property value could not be read, in words a user acts on. The
//! text never repeats the value (it may be secret): it says what was
//! expected and what kind of value came.

use std::fmt;

use serde::de::{self, Expected, Unexpected};

/// A property that is missing, or that the type does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldProblem {
    /// A required property is absent.
    Missing(&'static str),
    /// A property the type does not have.
    Unknown(String),
}

/// The deserializer's error.
#[derive(Debug)]
pub struct DecodeError {
    reason: String,
    field: Option<FieldProblem>,
    /// A string that is not one of an enum's values.
    unknown_variant: bool,
}

/// Longest value an error quotes.
const MAX_QUOTED_CHARS: usize = 64;

impl DecodeError {
    fn new(reason: impl Into<String>) -> Self {
        DecodeError {
            reason: reason.into(),
            field: None,
            unknown_variant: false,
        }
    }

    /// This error, naming `value` when it is an enum value not allowed:
    /// for a value the caller knows is not secret.
    pub(crate) fn quoting_variant(mut self, value: &str) -> Self {
        if self.unknown_variant {
            let quoted: String = value.chars().take(MAX_QUOTED_CHARS).collect();
            let cut = if quoted.len() < value.len() {
                "…"
            } else {
                ""
            };
            self.reason = format!("{}, not `{quoted}{cut}`", self.reason);
        }
        self
    }

    /// A number that is NaN or infinite: JSON, the engine's state and the
    /// cloud APIs have no such numbers.
    pub(crate) fn not_finite() -> Self {
        DecodeError::new("must be a finite number, not NaN or an infinity")
    }

    /// A value not known yet where the type needs one (outside Check, which
    /// reads unknowns as placeholders).
    pub(crate) fn not_known() -> Self {
        DecodeError::new(
            "is not known yet (it comes from another resource's output) but must be known here",
        )
    }

    /// The property the error is about when it is a child of the value at
    /// the error's path (a missing or unknown property).
    pub(crate) fn field(&self) -> Option<&FieldProblem> {
        self.field.as_ref()
    }

    pub(crate) fn into_reason(self) -> String {
        self.reason
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<M: fmt::Display>(message: M) -> Self {
        DecodeError::new(message.to_string())
    }

    fn invalid_type(unexpected: Unexpected, expected: &dyn Expected) -> Self {
        DecodeError::new(format!(
            "must be {}, not {}",
            describe_expected(expected),
            kind_of(&unexpected)
        ))
    }

    fn invalid_value(unexpected: Unexpected, expected: &dyn Expected) -> Self {
        DecodeError::new(format!(
            "must be {}, not {}",
            describe_expected(expected),
            out_of_range(&unexpected)
        ))
    }

    fn invalid_length(length: usize, expected: &dyn Expected) -> Self {
        DecodeError::new(format!(
            "must be {}, not {length} items",
            describe_expected(expected)
        ))
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        if expected.is_empty() {
            return DecodeError::new("has no allowed values");
        }
        let allowed: Vec<String> = expected.iter().map(|name| format!("`{name}`")).collect();
        DecodeError {
            unknown_variant: true,
            ..DecodeError::new(format!("must be one of {}", allowed.join(", ")))
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let reason = if expected.is_empty() {
            "is not a known property: this object has none".to_owned()
        } else {
            format!(
                "is not a known property; known ones are {}",
                expected
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        DecodeError {
            field: Some(FieldProblem::Unknown(field.to_owned())),
            ..DecodeError::new(reason)
        }
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError {
            field: Some(FieldProblem::Missing(field)),
            ..DecodeError::new("is required")
        }
    }

    fn duplicate_field(_field: &'static str) -> Self {
        DecodeError::new("is given more than once")
    }
}

/// What a type expects, said the way the schema says it.
fn describe_expected(expected: &dyn Expected) -> String {
    let text = expected.to_string();
    let words = match text.as_str() {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" | "u128" | "usize" => "a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "a sequence" => "a list",
        "a map" => "an object",
        "unit" => "null",
        "option" => "a value or null",
        "a borrowed string" | "a string" => "a string",
        "variant identifier" => "the name of an allowed value",
        _ if text.starts_with("struct ") => "an object",
        _ if text.starts_with("enum ") => "one of the allowed values",
        _ if text.starts_with("tuple") || text.starts_with("an array of length") => {
            return format!("a list ({text})");
        }
        _ => return text,
    };
    words.to_owned()
}

/// The kind of a value, never the value itself.
fn kind_of(unexpected: &Unexpected) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "true or false",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "a whole number",
        Unexpected::Float(_) => "a number with a fraction",
        Unexpected::Char(_) => "a character",
        Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Option => "an optional value",
        Unexpected::NewtypeStruct => "a wrapped value",
        Unexpected::Seq => "a list",
        Unexpected::Map => "an object",
        Unexpected::Enum => "an enum value",
        Unexpected::UnitVariant
        | Unexpected::NewtypeVariant
        | Unexpected::TupleVariant
        | Unexpected::StructVariant => "an enum variant",
        Unexpected::Other(_) => "a value of another kind",
    }
}

/// How a value of the right kind is wrong, without the value.
fn out_of_range(unexpected: &Unexpected) -> &'static str {
    match unexpected {
        Unexpected::Signed(number) if *number < 0 => "a negative number",
        Unexpected::Signed(_) | Unexpected::Unsigned(_) => "a number out of range",
        Unexpected::Float(number) if number.fract() != 0.0 => "a number with a fraction",
        Unexpected::Float(_) => "a number out of range",
        Unexpected::Str(_) => "this string",
        other => kind_of(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::Error as _;

    #[test]
    fn type_errors_name_the_kinds_but_never_the_value() {
        let error = DecodeError::invalid_type(Unexpected::Str("hunter2"), &"u32");
        assert_eq!(
            error.to_string(),
            "must be a whole number from 0 to 4294967295, not a string"
        );
        let error = DecodeError::invalid_value(Unexpected::Signed(-12345), &"u32");
        assert_eq!(
            error.to_string(),
            "must be a whole number from 0 to 4294967295, not a negative number"
        );
        let error = DecodeError::unknown_variant("hunter2", &["Fast", "Safe"]);
        assert_eq!(error.to_string(), "must be one of `Fast`, `Safe`");
        // Only a caller that knows the value is not secret quotes it.
        let error = error.quoting_variant("Slow");
        assert_eq!(
            error.to_string(),
            "must be one of `Fast`, `Safe`, not `Slow`"
        );
        for error in [
            DecodeError::invalid_type(Unexpected::Float(1.25), &"a string"),
            DecodeError::invalid_value(Unexpected::Float(31.5), &"u8"),
        ] {
            assert!(!error.to_string().contains("1.25"), "{error}");
            assert!(!error.to_string().contains("31.5"), "{error}");
        }
    }

    #[test]
    fn a_missing_or_unknown_property_is_kept_apart_from_the_reason() {
        let missing = DecodeError::missing_field("roleName");
        assert_eq!(missing.field(), Some(&FieldProblem::Missing("roleName")));
        assert_eq!(missing.to_string(), "is required");
        let unknown = DecodeError::unknown_field("s4", &["s3"]);
        assert_eq!(
            unknown.field(),
            Some(&FieldProblem::Unknown("s4".to_owned()))
        );
    }
}
