//! Inputs that may be unknown while previewing.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A required input whose value may not be known yet: during a preview it
/// can come from a resource that does not exist yet. Components read it as
/// `Option` and pass the raw wire value on to their children, so unknowns,
/// secrets and dependencies flow through untouched. In the schema it is the
/// plain `T`, and required.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deferred<T>(pub Option<T>);

impl<T> Deferred<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Deferred<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Deferred)
    }
}

impl<T: Serialize> Serialize for Deferred<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: JsonSchema> JsonSchema for Deferred<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}
