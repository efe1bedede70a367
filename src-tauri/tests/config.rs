//! The window's security settings, read from the files Tauri builds from:
//! this fails if the CSP is loosened, a capability grants file system,
//! shell, opener or HTTP access, remote content is allowed, or
//! `freezePrototype` is turned off.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic is a failed test"
)]

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> Value {
    read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tauri.conf.json"))
}

/// The CSP as directive -> sources.
fn csp() -> HashMap<String, Vec<String>> {
    let csp = config()["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP string")
        .to_owned();
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace().map(str::to_owned);
            Some((words.next()?, words.collect()))
        })
        .collect()
}

#[test]
fn the_csp_allows_only_the_apps_own_code_and_its_ipc() {
    let csp = csp();
    let exactly = |name: &str, sources: &[&str]| {
        let found = csp
            .get(name)
            .unwrap_or_else(|| panic!("the CSP has no {name}"));
        assert_eq!(
            found,
            &sources.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            "{name}"
        );
    };
    exactly("default-src", &["'self'"]);
    exactly("script-src", &["'self'"]);
    exactly("object-src", &["'none'"]);
    exactly("base-uri", &["'none'"]);
    exactly("frame-src", &["'none'"]);
    // Parley runs on Linux, where Tauri's IPC and Parley's image scheme are
    // custom schemes; no http origin is allowed, not even a .localhost one
    // (the Windows spelling of those schemes).
    exactly("connect-src", &["ipc:"]);
    // Images: the app's own and those Parley stored with articles (its
    // parley-image: scheme). No data: images: an article's images are all
    // fetched, checked and stored.
    exactly("img-src", &["'self'", "parley-image:"]);
    for (directive, sources) in &csp {
        for source in sources {
            let remote = source.contains("://") || source.starts_with("http");
            let loose = source.contains("unsafe") || source == "*" || source.contains('*');
            assert!(!remote && !loose, "{directive} allows {source}");
        }
    }
}

#[test]
fn the_window_loads_nothing_remote_and_freezes_the_prototype() {
    let config = config();
    assert_eq!(
        config["app"]["security"]["freezePrototype"],
        Value::Bool(true)
    );
    assert_ne!(config["app"]["withGlobalTauri"], Value::Bool(true));
    assert!(
        config["build"].get("devUrl").is_none(),
        "no dev server URL in the shipped config"
    );
    for window in config["app"]["windows"].as_array().unwrap() {
        if let Some(url) = window["url"].as_str() {
            assert!(!url.contains("://"), "window loads {url}");
        }
    }
}

#[test]
fn capabilities_grant_only_parleys_own_commands() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        files += 1;
        let capability = read_json(&path);
        assert!(
            capability.get("remote").is_none(),
            "{}: remote URLs may not call commands",
            path.display()
        );
        for permission in capability["permissions"].as_array().unwrap() {
            let name = permission
                .as_str()
                .or_else(|| permission["identifier"].as_str())
                .unwrap_or_default();
            for banned in ["fs:", "shell:", "opener:", "http:", "process:", "dialog:"] {
                assert!(
                    !name.starts_with(banned),
                    "{}: grants {name}",
                    path.display()
                );
            }
            assert!(
                name.starts_with("allow-") || name.starts_with("core:"),
                "{}: unexpected permission {name}",
                path.display()
            );
        }
    }
    assert!(files > 0, "no capability files in {}", dir.display());
}
