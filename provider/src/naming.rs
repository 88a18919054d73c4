//! Names AWS accepts: SageMaker's 63-character pattern and content-hashed
//! names for immutable objects.

use sha2::{Digest, Sha256};

/// Longest SageMaker model, endpoint-config or endpoint name.
pub const SAGEMAKER_NAME_MAX: usize = 63;

/// True when `name` matches SageMaker's `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`.
pub fn is_valid_sagemaker_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= SAGEMAKER_NAME_MAX
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

/// Why a SageMaker name is invalid, or `None` when it is fine.
pub fn sagemaker_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if name.len() > SAGEMAKER_NAME_MAX {
        return Some(format!(
            "is {} characters long; SageMaker allows at most {SAGEMAKER_NAME_MAX}",
            name.len()
        ));
    }
    if !is_valid_sagemaker_name(name) {
        return Some(
            "must match ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$ (letters, digits and hyphens, \
             starting and ending with a letter or digit)"
                .to_owned(),
        );
    }
    None
}

/// Makes a SageMaker-safe name from free text: invalid characters become
/// hyphens, runs of hyphens and leading/trailing hyphens are dropped, and the
/// result is cut to `max` characters.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    out.truncate(max);
    out.trim_end_matches('-').to_owned()
}

/// `prefix-<hash>`, at most 63 characters, where the hash is taken over
/// `content`: the same content always gives the same name, new content a new
/// one.
pub fn content_hashed(prefix: &str, content: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(content));
    let hash = &digest[..10];
    let room = SAGEMAKER_NAME_MAX - hash.len() - 1;
    let prefix = sanitize(prefix, room);
    if prefix.is_empty() {
        format!("h{hash}")
    } else {
        format!("{prefix}-{hash}")
    }
}

/// Marks the SageMaker objects a Workflow execution creates: training jobs,
/// models and endpoint configurations named `<prefix>-wf-<UUID>`.
pub const WORKFLOW_MARK: &str = "-wf-";

/// Longest prefix of a Workflow execution's names: with [`WORKFLOW_MARK`] and
/// a 36-character UUID they stay within [`SAGEMAKER_NAME_MAX`].
pub const WORKFLOW_PREFIX_MAX: usize = SAGEMAKER_NAME_MAX - WORKFLOW_MARK.len() - 36;

/// True when `name` is one a Workflow execution of this project gave an
/// object: `<prefix>-wf-<UUID>` (a program's configurations are named
/// `<endpoint>-config-<hash>` and never match).
pub fn is_workflow_made(name: &str) -> bool {
    let Some((prefix, id)) = name.rsplit_once(WORKFLOW_MARK) else {
        return false;
    };
    prefix.len() <= WORKFLOW_PREFIX_MAX && is_valid_sagemaker_name(prefix) && is_uuid(id)
}

/// True for the 8-4-4-4-12 hexadecimal form `States.UUID()` draws.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Short stable suffix from a seed, for S3 bucket names and the like.
pub fn short_hash(seed: &str, len: usize) -> String {
    hex::encode(Sha256::digest(seed.as_bytes()))[..len].to_owned()
}

/// The AWS partition of `region`: `aws-cn` for China, `aws-us-gov` for
/// GovCloud, `aws` elsewhere (the first field of an ARN).
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_names_are_told_from_the_programs() {
        assert!(is_workflow_made(
            "fraud-dev-wf-123e4567-e89b-12d3-a456-426614174000"
        ));
        assert!(!is_workflow_made("fraud-endpoint-config-0123456789"));
        assert!(!is_workflow_made("fraud-wf-not-a-uuid"));
        assert!(!is_workflow_made(
            "-wf-123e4567-e89b-12d3-a456-426614174000"
        ));
        assert_eq!(WORKFLOW_PREFIX_MAX, 23);
    }
    use proptest::prelude::*;

    #[test]
    fn sagemaker_names_follow_the_pattern() {
        assert!(is_valid_sagemaker_name("text-classification-model"));
        assert!(!is_valid_sagemaker_name("-leading"));
        assert!(!is_valid_sagemaker_name("under_score"));
        assert!(!is_valid_sagemaker_name(&"a".repeat(64)));
        assert!(
            sagemaker_name_problem(&"a".repeat(70))
                .unwrap()
                .contains("70 characters")
        );
    }

    #[test]
    fn content_hashed_names_change_with_content() {
        let a = content_hashed("fraud-endpoint-config", b"v1");
        let b = content_hashed("fraud-endpoint-config", b"v2");
        assert_ne!(a, b);
        assert_eq!(a, content_hashed("fraud-endpoint-config", b"v1"));
    }

    proptest! {
        #[test]
        fn content_hashed_names_are_always_valid(prefix in ".{0,120}", content in ".*") {
            let name = content_hashed(&prefix, content.as_bytes());
            prop_assert!(is_valid_sagemaker_name(&name), "{name}");
        }
    }
}
