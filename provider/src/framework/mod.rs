//! The resource framework: typed custom resources and components, erased
//! into one registry by type token, and the Pulumi schema derived from them.

mod check;
mod component;
mod context;
mod diff;
mod erased;
mod input;
pub mod naming;
mod output;
mod registry;
mod resource;
pub mod schema;
mod scope;

pub use check::{CheckFailure, Failures};
pub use component::Component;
pub use context::{Context, Progress};
pub use diff::{DiffOutcome, FieldChange, diff_config, diff_to_proto};
pub use erased::{DynComponent, DynResource, decode as decode_typed, encode_plain as encode_typed};
pub use input::Deferred;
pub use output::{apply_json, apply_strings};
pub use registry::{Registry, RegistryBuilder};
pub use resource::{Created, CustomResource, ReadOutcome};
pub use scope::{Child, ChildOptions, Scope, all_children, flatten_outputs};
