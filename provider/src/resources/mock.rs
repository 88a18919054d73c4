//! The context the resource unit tests run in: every AWS client answers from
//! mock rules, never from the network, and an operation no rule matches
//! fails the test.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_smithy_mocks::Rule;
use framework::{CustomResource, EngineLogger};
use tokio_util::sync::CancellationToken;

use crate::Context;
use crate::aws::AwsClients;

/// A context for resource `R` whose clients answer with `rules` only.
pub(crate) async fn mock_context<R: CustomResource>(rules: &[&Rule]) -> Context {
    mock_context_tagged::<R>(rules, BTreeMap::new()).await
}

/// As [`mock_context`], with the provider's `default_tags` set.
pub(crate) async fn mock_context_tagged<R: CustomResource>(
    rules: &[&Rule],
    default_tags: BTreeMap<String, String>,
) -> Context {
    let mut clients = AwsClients::mocked(rules);
    clients.default_tags = default_tags;
    Context {
        clients: Arc::new(clients),
        engine: Arc::new(EngineLogger::new(None)),
        urn: format!("urn:pulumi:unit::test::{}::unit", R::TOKEN),
        cancel: CancellationToken::new(),
        timeout: None,
        secrets: Default::default(),
        first_create: false,
    }
}

/// A context for resource `R` whose clients are `clients` (e.g. pointed at
/// a [`crate::aws::scripted_aws::ScriptedAws`]).
pub(crate) fn context_with<R: CustomResource>(clients: AwsClients) -> Context {
    Context {
        clients: Arc::new(clients),
        engine: Arc::new(EngineLogger::new(None)),
        urn: format!("urn:pulumi:unit::test::{}::unit", R::TOKEN),
        cancel: CancellationToken::new(),
        timeout: None,
        secrets: Default::default(),
        first_create: false,
    }
}
