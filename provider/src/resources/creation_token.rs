//! The token a create is sent with, as a tag (or, where an object takes
//! none, in a label): it tells the objects a create request made from all
//! others, and starts with a digest of the resource's URN, so that the next
//! create of the same resource can find what an interrupted one made (see
//! `CustomResource::left_by_an_interrupted_create`).

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// The tag key of the token a create is sent with. AppConfig and KMS tag
/// keys may not start with `aws:` (AppConfig API reference, TagResource
/// `Tags`; KMS API reference, Tag `TagKey`).
pub const TOKEN_TAG: &str = "sagemaker-deployment:creation-token";

/// A token unique to one create request, sent as the [`TOKEN_TAG`] tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationToken(String);

/// The first half of every token made for the resource `urn`: 64 bits of
/// the URN's SHA-256, hex.
fn resource_part(urn: &str) -> String {
    hex::encode(&Sha256::digest(urn.as_bytes())[..8])
}

/// Whether `token` was made for a create of the resource `urn`.
pub fn made_for(token: &str, urn: &str) -> bool {
    token.len() == 32 && token.starts_with(&resource_part(urn))
}

impl CreationToken {
    /// A new token for a create of the resource `urn`: a digest of the URN
    /// (see [`made_for`]), then 64 bits from the standard library's randomly
    /// keyed hasher, over the time and the process id.
    pub fn new(urn: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        CreationToken(format!("{}{:016x}", resource_part(urn), hasher.finish()))
    }

    /// The token's text.
    pub fn value(&self) -> &str {
        &self.0
    }

    /// `tags` (the object's own, with the provider's defaults) and the token.
    pub fn with_tags(&self, tags: Option<HashMap<String, String>>) -> HashMap<String, String> {
        let mut tags = tags.unwrap_or_default();
        tags.insert(TOKEN_TAG.to_owned(), self.0.clone());
        tags
    }
}
