//! The magic strings of Pulumi's property encoding.

/// Key that marks an object as a special value; its value names the kind.
pub const SPECIAL_KEY: &str = "4dabf18193072939515e22adb298388d";
/// Kind of a secret: `{ key: SECRET, value: ... }`.
pub const SECRET: &str = "1b47061264138c4ac30d75fd1eb44270";
/// Kind of a resource reference: `urn`, optional `id`, `packageVersion`.
pub const RESOURCE_REFERENCE: &str = "5cf8f73096256a8f31e491e813e4eb8e";
/// Kind of an output value: optional `value`, `secret`, `dependencies`.
pub const OUTPUT_VALUE: &str = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/// Kind of an asset.
pub const ASSET: &str = "c44067f5952c0a294b673a41bacd8c17";
/// Kind of an archive.
pub const ARCHIVE: &str = "0def7320c3a5731c473e5ecbe6d01bc7";

/// Unknown value sentinels, one per expected type. A bare string equal to one
/// of these means "not known until the update runs".
pub const UNKNOWN_BOOL: &str = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
pub const UNKNOWN_NUMBER: &str = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";
pub const UNKNOWN_STRING: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
pub const UNKNOWN_ARRAY: &str = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
pub const UNKNOWN_ASSET: &str = "030794c1-ac77-496b-92df-f27374a8bd58";
pub const UNKNOWN_ARCHIVE: &str = "e48ece36-62e2-4504-bad9-02848725956a";
pub const UNKNOWN_OBJECT: &str = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
