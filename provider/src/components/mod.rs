//! Component resources: one per stack of the seed construct library.

pub mod base_infra;
mod values;

use crate::framework::RegistryBuilder;

/// Adds every component to the registry.
pub fn register(builder: RegistryBuilder) -> RegistryBuilder {
    builder.component(base_infra::BaseInfra)
}
