//! The wire layer: Pulumi's encoding of property values inside protobuf
//! `Struct`s, decoded into [`PropertyValue`] so that secrets, unknowns,
//! output values, resource references, assets and archives survive every
//! round trip through the provider.

mod codec;
mod json;
pub mod sig;
#[cfg(test)]
mod tests;
mod value;

pub use codec::{properties_to_struct, struct_to_properties, value_from_proto, value_to_proto};
pub use json::{
    JsonView, properties_from_json, properties_to_json, value_from_json, value_to_json,
};
pub use value::{OutputValue, PropertyMap, PropertyValue, ResourceReference, UnknownKind};
