//! Validation failures: the property path and the rule it breaks.

use std::fmt;

/// One invalid input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// Path of the property, e.g. `modelList[2].VariantName`.
    pub property: String,
    /// The rule it breaks, in words a user acts on.
    pub reason: String,
}

impl CheckFailure {
    pub fn new(property: impl Into<String>, reason: impl Into<String>) -> Self {
        CheckFailure {
            property: property.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.property, self.reason)
    }
}

/// A growing list of failures, for validators to push into.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Failures(pub Vec<CheckFailure>);

impl Failures {
    pub fn new() -> Self {
        Failures(Vec::new())
    }

    /// Records a failure at `property`.
    pub fn push(&mut self, property: impl Into<String>, reason: impl Into<String>) {
        self.0.push(CheckFailure::new(property, reason));
    }

    /// Records a failure when `ok` is false.
    pub fn require(&mut self, ok: bool, property: impl Into<String>, reason: impl Into<String>) {
        if !ok {
            self.push(property, reason);
        }
    }

    pub fn extend(&mut self, other: Failures) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<CheckFailure> {
        self.0
    }

    /// All failures as one message, one per line.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}
