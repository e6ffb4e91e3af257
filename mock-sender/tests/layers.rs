//! The sender's import rule: the API edge is on top; the engine (`delivery`) uses the
//! webhook rules (`webhooks`) and the store; the rules use the store; none of them
//! imports a layer above it.

use std::path::Path;

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
    out
}

/// Code lines (not comments) of the files under `src/{layer}` (or `src/{layer}.rs`)
/// that name one of `above`.
fn imports_above(layer: &str, above: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = if src.join(layer).is_dir() {
        sources(&src.join(layer))
    } else {
        let path = src.join(format!("{layer}.rs"));
        vec![(
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        )]
    };
    let mut found = Vec::new();
    for (path, text) in files {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for module in above {
                if code.contains(&format!("crate::{module}"))
                    || code.contains(&format!("super::{module}"))
                {
                    found.push(format!("{path}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn no_layer_imports_one_above_it() {
    for (layer, above) in [
        ("delivery", &["api"][..]),
        ("webhooks", &["api", "delivery"][..]),
        ("keys", &["api", "delivery", "webhooks"][..]),
        ("profile", &["api", "delivery", "webhooks", "store"][..]),
        ("catalog", &["api", "delivery", "webhooks", "store"][..]),
        ("store", &["api", "delivery", "webhooks"][..]),
    ] {
        let found = imports_above(layer, above);
        assert!(
            found.is_empty(),
            "{layer} imports {above:?}:\n{}",
            found.join("\n")
        );
    }
}

/// The store keeps the inbox's records (`store::inbox`) but not its rules: `crate::inbox`
/// uses the store, never the other way round. (`super::inbox` inside the store is its
/// own `store::inbox`, so only `crate::inbox` is looked for.)
#[test]
fn the_store_does_not_import_the_inbox() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for (path, text) in sources(&src.join("store")) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("crate::inbox") {
                found.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "store imports inbox:\n{}",
        found.join("\n")
    );
}

/// Code lines of the files under `src/` outside `src/store/` that contain one of `names`.
fn outside_the_store(names: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let store = src.join("store");
    let mut found = Vec::new();
    for (path, text) in sources(&src) {
        if Path::new(&path).starts_with(&store) {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if names.iter().any(|name| code.contains(name)) {
                found.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

/// The rule of store access (`store`'s module docs): outside `src/store/`, the store is
/// reached through `store::Db` only. Nothing else names SQLite, a store trait object, or
/// moves store calls off the runtime itself: where a call runs is `Db`'s to decide.
#[test]
fn only_the_store_touches_sqlite_and_its_traits() {
    let found = outside_the_store(&[
        "rusqlite",
        "dyn Store",
        "dyn InboxStore",
        "SqliteStore",
        "spawn_blocking",
    ]);
    assert!(
        found.is_empty(),
        "outside src/store/, reach the store through store::Db:\n{}",
        found.join("\n")
    );
}
