//! Rust types generated from the project's `proto/pulumi/*.proto`.
#![allow(clippy::all, missing_docs)]

tonic::include_proto!("pulumirpc");
