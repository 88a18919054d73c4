//! The account's KMS keys and aliases in the Region, every page of them.
//!
//! KMS answers ListAliases 50 at a time and ListKeys 100 at a time by
//! default, so one page is never the whole account: AWS managed aliases
//! alone fill much of a first ListAliases page.

use aws_sdk_kms::types::AliasListEntry;

use crate::Context;
use crate::aws::{AwsError, ResultExt, Service};

/// Every alias of the account in the Region (AWS managed ones included).
pub async fn aliases(ctx: &Context) -> Result<Vec<AliasListEntry>, AwsError> {
    let mut all = Vec::new();
    let mut pages = ctx.clients.kms.list_aliases().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::Kms, "ListAliases")?;
        all.extend(page.aliases().iter().cloned());
    }
    Ok(all)
}

/// The key `alias` points at, if `aliases` has it.
pub fn target_of<'a>(aliases: &'a [AliasListEntry], alias: &str) -> Option<&'a str> {
    aliases
        .iter()
        .find(|entry| entry.alias_name() == Some(alias))
        .and_then(|entry| entry.target_key_id())
}

/// The ids of the keys no alias of `aliases` points at, in ListKeys order.
pub async fn keys_without_alias(
    ctx: &Context,
    aliases: &[AliasListEntry],
) -> Result<Vec<String>, AwsError> {
    let named: Vec<&str> = aliases
        .iter()
        .filter_map(|entry| entry.target_key_id())
        .collect();
    let mut unnamed = Vec::new();
    let mut pages = ctx.clients.kms.list_keys().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::Kms, "ListKeys")?;
        unnamed.extend(
            page.keys()
                .iter()
                .filter_map(|key| key.key_id())
                .filter(|key_id| !named.contains(key_id))
                .map(str::to_owned),
        );
    }
    Ok(unnamed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::kms::Key;
    use crate::resources::mock::mock_context;
    use aws_sdk_kms::Client;
    use aws_sdk_kms::operation::list_aliases::ListAliasesOutput;
    use aws_sdk_kms::operation::list_keys::ListKeysOutput;
    use aws_sdk_kms::types::KeyListEntry;
    use aws_smithy_mocks::{Rule, mock};

    fn alias(name: &str, target: &str) -> AliasListEntry {
        AliasListEntry::builder()
            .alias_name(name)
            .target_key_id(target)
            .build()
    }

    /// ListAliases in two pages: the second (after marker `m`) holds
    /// `alias/fraud-dev`, which names key-2.
    fn aliases_in_two_pages() -> [Rule; 2] {
        [
            mock!(Client::list_aliases)
                .match_requests(|req| req.marker().is_none())
                .then_output(|| {
                    ListAliasesOutput::builder()
                        .aliases(alias("alias/aws/s3", "key-aws"))
                        .truncated(true)
                        .next_marker("m")
                        .build()
                }),
            mock!(Client::list_aliases)
                .match_requests(|req| req.marker() == Some("m"))
                .then_output(|| {
                    ListAliasesOutput::builder()
                        .aliases(alias("alias/fraud-dev", "key-2"))
                        .truncated(false)
                        .build()
                }),
        ]
    }

    fn keys_in_two_pages() -> [Rule; 2] {
        let keys = |ids: &[&str]| {
            ids.iter()
                .map(|id| KeyListEntry::builder().key_id(*id).build())
                .collect::<Vec<_>>()
        };
        let first = keys(&["key-aws", "key-1"]);
        let second = keys(&["key-2", "key-3"]);
        [
            mock!(Client::list_keys)
                .match_requests(|req| req.marker().is_none())
                .then_output(move || {
                    ListKeysOutput::builder()
                        .set_keys(Some(first.clone()))
                        .truncated(true)
                        .next_marker("k")
                        .build()
                }),
            mock!(Client::list_keys)
                .match_requests(|req| req.marker() == Some("k"))
                .then_output(move || {
                    ListKeysOutput::builder()
                        .set_keys(Some(second.clone()))
                        .truncated(false)
                        .build()
                }),
        ]
    }

    #[tokio::test]
    async fn an_alias_on_a_later_page_is_found() {
        let rules = aliases_in_two_pages();
        let ctx = mock_context::<Key>(&rules.iter().collect::<Vec<_>>()).await;
        let all = aliases(&ctx).await.unwrap();
        assert_eq!(target_of(&all, "alias/fraud-dev"), Some("key-2"));
        assert_eq!(target_of(&all, "alias/other"), None);
        assert_eq!(rules.iter().map(Rule::num_calls).sum::<usize>(), 2);
    }

    #[tokio::test]
    async fn keys_named_on_any_page_are_left_out_of_every_page_of_keys() {
        let (aliases_rules, keys_rules) = (aliases_in_two_pages(), keys_in_two_pages());
        let rules: Vec<&Rule> = aliases_rules.iter().chain(keys_rules.iter()).collect();
        let ctx = mock_context::<Key>(&rules).await;
        let all = aliases(&ctx).await.unwrap();
        assert_eq!(
            keys_without_alias(&ctx, &all).await.unwrap(),
            ["key-1", "key-3"]
        );
    }
}
