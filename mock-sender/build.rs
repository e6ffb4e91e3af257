//! The pages built into the binary (src/api/files.rs) are read when the crate compiles:
//! compile it again when they change. pkg/gen is made later, by scripts/build-pkg.sh;
//! until it exists, pkg/ is watched so that its making is noticed.

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../www");
    println!("cargo:rerun-if-changed=../pkg/src");
    if root.join("pkg/gen").is_dir() {
        println!("cargo:rerun-if-changed=../pkg/gen");
    } else {
        println!("cargo:rerun-if-changed=../pkg");
    }
}
