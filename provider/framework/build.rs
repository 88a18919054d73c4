//! Compiles the project's own Pulumi protocol definitions in `proto/` with a
//! vendored `protoc`, so building needs no system protobuf compiler.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read at run time: a compiled build script may be reused from another
    // checkout of the same sources that shares the target directory.
    let proto_root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    let include = protoc_bin_vendored::include_path()?;
    // SAFETY: build scripts are single-threaded; prost-build reads PROTOC.
    unsafe {
        std::env::set_var("PROTOC", protoc);
    }

    let files = ["provider.proto", "resource.proto", "engine.proto"]
        .map(|name| proto_root.join("pulumi").join(name));
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    for extra in ["alias.proto", "plugin.proto"] {
        println!(
            "cargo:rerun-if-changed={}",
            proto_root.join("pulumi").join(extra).display()
        );
    }

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_protos(&files, &[proto_root, include])?;
    Ok(())
}
