//! `parley-server`'s settings, from its command line, its environment and
//! its config file, in that order of precedence. The config file is
//! `KEY=value` lines with the environment's names (`PARLEY_LISTEN=…`),
//! so the same file serves `--config` and a systemd `EnvironmentFile=`;
//! `#` starts a comment, and a key Parley does not know is an error
//! rather than a setting silently ignored.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::serve::StartError;
use crate::tls::Tls;
use crate::Config;

/// Each setting: its command-line flag, its name in the environment and
/// the config file, and whether it takes a value.
const SETTINGS: &[(&str, &str, bool)] = &[
    ("--database", "PARLEY_DATABASE_URL", true),
    ("--listen", "PARLEY_LISTEN", true),
    ("--data", "PARLEY_DATA", true),
    ("--tls-cert", "PARLEY_TLS_CERT", true),
    ("--tls-key", "PARLEY_TLS_KEY", true),
    ("--behind-proxy", "PARLEY_BEHIND_PROXY", false),
    ("--session-days", "PARLEY_SESSION_DAYS", true),
    ("--log-format", "PARLEY_LOG_FORMAT", true),
];

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What the server was asked to do.
#[derive(Debug)]
pub enum Asked {
    Help,
    Serve(Box<Config>),
}

/// Reads the settings: `args` (without the program's name), then `env`
/// (a lookup, such as `std::env::var`), then the config file named by
/// `--config` or `PARLEY_CONFIG`, if any.
pub fn read(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Asked, StartError> {
    let mut given = BTreeMap::<&'static str, String>::new();
    let mut config_file = env("PARLEY_CONFIG").filter(|v| !v.is_empty());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(Asked::Help);
        }
        if arg == "--config" {
            config_file = Some(
                args.next()
                    .ok_or_else(|| StartError("--config needs a file. See --help.".into()))?,
            );
            continue;
        }
        let Some(&(flag, key, takes_value)) = SETTINGS.iter().find(|s| s.0 == arg) else {
            return Err(StartError(format!("Unknown option {arg:?}. See --help.")));
        };
        let value = if takes_value {
            args.next()
                .ok_or_else(|| StartError(format!("{flag} needs a value. See --help.")))?
        } else {
            "true".to_owned()
        };
        given.insert(key, value);
    }
    for &(_, key, _) in SETTINGS {
        if let Some(value) = env(key).filter(|v| !v.is_empty()) {
            given.entry(key).or_insert(value);
        }
    }
    if let Some(file) = config_file {
        for (key, value) in read_file(Path::new(&file))? {
            given.entry(key).or_insert(value);
        }
    }
    Ok(Asked::Serve(Box::new(config_from(&given)?)))
}

/// The `KEY=value` lines of a config file.
fn read_file(path: &Path) -> Result<Vec<(&'static str, String)>, StartError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        StartError(format!(
            "Could not read the config file {}: {e}",
            path.display()
        ))
    })?;
    let mut settings = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("{} line {}", path.display(), number + 1);
        let Some((key, value)) = line.split_once('=') else {
            return Err(StartError(format!(
                "{}: expected KEY=value, not {line:?}.",
                at()
            )));
        };
        let key = key.trim();
        let Some(&(_, known, _)) = SETTINGS.iter().find(|s| s.1 == key) else {
            let names: Vec<&str> = SETTINGS.iter().map(|s| s.1).collect();
            return Err(StartError(format!(
                "{}: {key} is not a setting Parley knows. The settings are {}.",
                at(),
                names.join(", ")
            )));
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        settings.push((known, value.to_owned()));
    }
    Ok(settings)
}

fn config_from(given: &BTreeMap<&'static str, String>) -> Result<Config, StartError> {
    let get = |key: &str| given.get(key).map(String::as_str);
    let database = get("PARLEY_DATABASE_URL").ok_or_else(|| {
        StartError(
            "Say which database to use: --database, PARLEY_DATABASE_URL, or the config file \
             (see --help)."
                .into(),
        )
    })?;
    let listen: SocketAddr = match get("PARLEY_LISTEN") {
        None => SocketAddr::from(([127, 0, 0, 1], 7878)),
        Some(text) => text.parse().map_err(|_| {
            StartError(format!(
                "The listening address is ADDRESS:PORT, such as 127.0.0.1:7878, not {text:?}."
            ))
        })?,
    };
    let mut config = Config::new(database, listen);
    config.behind_proxy = match get("PARLEY_BEHIND_PROXY") {
        None => false,
        Some("true" | "1" | "yes") => true,
        Some("false" | "0" | "no") => false,
        Some(other) => {
            return Err(StartError(format!(
                "PARLEY_BEHIND_PROXY is true or false, not {other:?}."
            )))
        }
    };
    config.data = get("PARLEY_DATA").map(PathBuf::from);
    if let Some(days) = get("PARLEY_SESSION_DAYS") {
        let days: i64 = days
            .parse()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| {
                StartError(format!(
                    "Sessions last 1 to 365 days without use, not {days:?}."
                ))
            })?;
        config.session_idle_ms = days * DAY_MS;
    }
    config.log_json = match get("PARLEY_LOG_FORMAT") {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => {
            return Err(StartError(format!(
                "The log format is text or json, not {other:?}."
            )))
        }
    };
    config.tls = match (get("PARLEY_TLS_CERT"), get("PARLEY_TLS_KEY")) {
        (Some(cert), Some(key)) => Tls::Files {
            cert: cert.into(),
            key: key.into(),
        },
        (None, None) => Tls::Off,
        _ => {
            return Err(StartError(
                "A certificate and its key go together (--tls-cert and --tls-key).".into(),
            ))
        }
    };
    Ok(config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

    use super::*;

    fn serve(asked: Result<Asked, StartError>) -> Config {
        match asked {
            Ok(Asked::Serve(config)) => *config,
            other => panic!("{other:?}"),
        }
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_command_line_wins_over_the_environment_which_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.conf");
        std::fs::write(
            &file,
            "# Parley\nPARLEY_DATABASE_URL=\"postgres://parley@localhost/parley\"\n\
             PARLEY_LISTEN=0.0.0.0:7878\nPARLEY_BEHIND_PROXY=true\nPARLEY_SESSION_DAYS=7\n",
        )
        .unwrap();
        let file_name = file.display().to_string();
        let env = |key: &str| (key == "PARLEY_LISTEN").then(|| "127.0.0.1:9000".to_owned());
        let config = serve(read(args(&["--config", &file_name]), env));
        assert_eq!(config.database, "postgres://parley@localhost/parley");
        assert_eq!(config.listen.to_string(), "127.0.0.1:9000");
        assert!(config.behind_proxy);
        assert_eq!(config.session_idle_ms, 7 * DAY_MS);
        assert!(!config.log_json);
        let config = serve(read(
            args(&["--config", &file_name, "--listen", "127.0.0.1:9100"]),
            env,
        ));
        assert_eq!(config.listen.to_string(), "127.0.0.1:9100");
        let config = serve(read(
            args(&["--config", &file_name, "--log-format", "json"]),
            env,
        ));
        assert!(config.log_json);
    }

    #[test]
    fn mistakes_are_named_not_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.conf");
        std::fs::write(&file, "PARLEY_LISTN=0.0.0.0:7878\n").unwrap();
        let none = |_: &str| None;
        let name = file.display().to_string();
        let error = read(args(&["--config", &name]), none).unwrap_err();
        assert!(
            error.to_string().contains("PARLEY_LISTN is not a setting"),
            "{error}"
        );
        for bad in [
            &["--database"][..],
            &["--database", "sqlite:x", "--listen", "here"],
            &["--database", "sqlite:x", "--tls-cert", "a.pem"],
            &["--database", "sqlite:x", "--session-days", "0"],
            &["--database", "sqlite:x", "--log-format", "xml"],
            &["--frobnicate"],
            &[],
        ] {
            assert!(read(args(bad), none).is_err(), "{bad:?}");
        }
        assert!(matches!(read(args(&["--help"]), none), Ok(Asked::Help)));
    }
}
