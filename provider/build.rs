//! Links the provider binary as a position-dependent executable on Linux.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // A position-dependent executable: the loader has no relocations to apply
    // to the AWS SDKs' large constant tables, so start-up is faster and those
    // pages stay clean (shared with the file) instead of counting as private
    // memory.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
