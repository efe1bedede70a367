//! The UI's TypeScript types must match the Rust types that cross IPC.

use std::path::Path;

#[test]
fn generated_typescript_bindings_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/api/bindings.ts");
    let expected = parley_core::bindings::typescript();
    if std::env::var_os("PARLEY_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale; regenerate it with \
         `PARLEY_UPDATE_BINDINGS=1 cargo test -p parley-core --test domain bindings`",
        path.display()
    );
}
