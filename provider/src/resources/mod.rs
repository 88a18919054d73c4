//! Custom resources: one Rust type per kind of AWS object.

pub mod iam;
pub mod kms;
pub mod s3;
mod tags;

pub use tags::Tags;

use crate::framework::RegistryBuilder;

/// Adds every custom resource to the registry.
pub fn register(builder: RegistryBuilder) -> RegistryBuilder {
    builder
        .resource(kms::Key)
        .resource(s3::Bucket)
        .resource(iam::Role)
}
