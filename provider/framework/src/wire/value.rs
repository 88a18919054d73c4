//! The typed property value model.

use std::collections::BTreeMap;

use super::sig;

/// A map of property names to values: a resource's inputs or outputs.
pub type PropertyMap = BTreeMap<String, PropertyValue>;

/// Which typed sentinel an unknown value was sent as. All kinds mean
/// "unknown"; the kind is kept only so that a value goes back out exactly as
/// it came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnknownKind {
    Generic,
    Bool,
    Number,
    Array,
    Object,
    Asset,
    Archive,
}

impl UnknownKind {
    /// The sentinel string for this kind.
    pub fn sentinel(self) -> &'static str {
        match self {
            UnknownKind::Generic => sig::UNKNOWN_STRING,
            UnknownKind::Bool => sig::UNKNOWN_BOOL,
            UnknownKind::Number => sig::UNKNOWN_NUMBER,
            UnknownKind::Array => sig::UNKNOWN_ARRAY,
            UnknownKind::Object => sig::UNKNOWN_OBJECT,
            UnknownKind::Asset => sig::UNKNOWN_ASSET,
            UnknownKind::Archive => sig::UNKNOWN_ARCHIVE,
        }
    }

    /// The kind a sentinel string stands for, if it is one.
    pub fn from_sentinel(text: &str) -> Option<Self> {
        Some(match text {
            sig::UNKNOWN_STRING => UnknownKind::Generic,
            sig::UNKNOWN_BOOL => UnknownKind::Bool,
            sig::UNKNOWN_NUMBER => UnknownKind::Number,
            sig::UNKNOWN_ARRAY => UnknownKind::Array,
            sig::UNKNOWN_OBJECT => UnknownKind::Object,
            sig::UNKNOWN_ASSET => UnknownKind::Asset,
            sig::UNKNOWN_ARCHIVE => UnknownKind::Archive,
            _ => return None,
        })
    }
}

/// A reference to another resource, by URN and (for custom resources) id.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceReference {
    pub urn: String,
    /// The resource id; `None` for component resources, possibly unknown.
    pub id: Option<Box<PropertyValue>>,
    pub package_version: String,
}

/// A value together with its secretness and the resources it came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputValue {
    /// `None` when the value is not known yet.
    pub value: Option<Box<PropertyValue>>,
    pub secret: bool,
    /// URNs of the resources this value depends on.
    pub dependencies: Vec<String>,
}

/// One property value as Pulumi understands it.
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyValue {
    Null,
    Bool(bool),
    /// Every number travels as a double.
    Number(f64),
    String(String),
    Array(Vec<PropertyValue>),
    Object(PropertyMap),
    /// A value that must never be shown or stored in plain text.
    Secret(Box<PropertyValue>),
    /// A value not known until the update runs.
    Unknown(UnknownKind),
    Output(OutputValue),
    ResourceReference(ResourceReference),
    /// An asset, kept as its property map (`hash`, `path`, `text`, `uri`).
    Asset(PropertyMap),
    /// An archive, kept as its property map (`hash`, `assets`, `path`, `uri`).
    Archive(PropertyMap),
}

impl PropertyValue {
    /// True when this value, or anything inside it, is unknown.
    pub fn contains_unknowns(&self) -> bool {
        match self {
            PropertyValue::Unknown(_) => true,
            PropertyValue::Output(out) => match &out.value {
                None => true,
                Some(inner) => inner.contains_unknowns(),
            },
            PropertyValue::Secret(inner) => inner.contains_unknowns(),
            PropertyValue::Array(items) => items.iter().any(PropertyValue::contains_unknowns),
            PropertyValue::Object(map) => map.values().any(PropertyValue::contains_unknowns),
            PropertyValue::ResourceReference(reference) => {
                reference.id.as_deref().is_some_and(|id| match id {
                    // The engine sends an unknown id as "" (Go's
                    // `ResourceReference.IDString`).
                    PropertyValue::String(text) => text.is_empty(),
                    other => other.contains_unknowns(),
                })
            }
            _ => false,
        }
    }

    /// True when this value is secret at its top level (directly or as a
    /// secret output value).
    pub fn is_secret(&self) -> bool {
        match self {
            PropertyValue::Secret(_) => true,
            PropertyValue::Output(out) => {
                out.secret || out.value.as_ref().is_some_and(|inner| inner.is_secret())
            }
            _ => false,
        }
    }

    /// True when this value or anything inside it is secret.
    pub fn contains_secrets(&self) -> bool {
        match self {
            PropertyValue::Secret(_) => true,
            PropertyValue::Output(out) => {
                out.secret
                    || out
                        .value
                        .as_ref()
                        .is_some_and(|inner| inner.contains_secrets())
            }
            PropertyValue::Array(items) => items.iter().any(PropertyValue::contains_secrets),
            PropertyValue::Object(map) => map.values().any(PropertyValue::contains_secrets),
            _ => false,
        }
    }

    /// Wraps the value as a secret unless it already is one.
    pub fn into_secret(self) -> PropertyValue {
        if self.is_secret() {
            self
        } else {
            PropertyValue::Secret(Box::new(self))
        }
    }

    /// The plain string, if this is a known string (looking through secrets
    /// and output values).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropertyValue::String(text) => Some(text),
            PropertyValue::Secret(inner) => inner.as_str(),
            PropertyValue::Output(OutputValue {
                value: Some(inner), ..
            }) => inner.as_str(),
            _ => None,
        }
    }

    /// Resource URNs this value carries as output-value dependencies.
    pub fn dependencies(&self) -> Vec<String> {
        let mut urns = Vec::new();
        self.collect_dependencies(&mut urns);
        urns.sort();
        urns.dedup();
        urns
    }

    fn collect_dependencies(&self, urns: &mut Vec<String>) {
        match self {
            PropertyValue::Output(out) => {
                urns.extend(out.dependencies.iter().cloned());
                if let Some(inner) = &out.value {
                    inner.collect_dependencies(urns);
                }
            }
            PropertyValue::Secret(inner) => inner.collect_dependencies(urns),
            PropertyValue::Array(items) => items
                .iter()
                .for_each(|item| item.collect_dependencies(urns)),
            PropertyValue::Object(map) => map
                .values()
                .for_each(|item| item.collect_dependencies(urns)),
            _ => {}
        }
    }
}

impl From<&str> for PropertyValue {
    fn from(text: &str) -> Self {
        PropertyValue::String(text.to_owned())
    }
}

impl From<String> for PropertyValue {
    fn from(text: String) -> Self {
        PropertyValue::String(text)
    }
}

impl From<bool> for PropertyValue {
    fn from(flag: bool) -> Self {
        PropertyValue::Bool(flag)
    }
}

impl From<f64> for PropertyValue {
    fn from(number: f64) -> Self {
        PropertyValue::Number(number)
    }
}

impl From<PropertyMap> for PropertyValue {
    fn from(map: PropertyMap) -> Self {
        PropertyValue::Object(map)
    }
}
