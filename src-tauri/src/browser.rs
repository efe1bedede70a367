//! Handing an address to the person's own browser or mail program. Called
//! only with an address `parley_core::links::openable` accepted, after the
//! person confirmed it in the window.

use std::process::{Command, Stdio};

use parley_core::Error;
use tauri::Url;

/// Opens `url` with the program in `$BROWSER` when set (the common
/// convention: a list of commands separated by `:`, the first is used, and
/// `%s` in it stands for the address), and otherwise with the desktop's
/// handler for its scheme (`xdg-open` and friends on Linux).
pub fn open(url: &Url) -> Result<(), Error> {
    let address = url.as_str();
    let launched = match std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        Some(browser) => with_browser_command(&browser, address),
        None => open::that_detached(address),
    };
    launched.map_err(|e| {
        log::warn!("could not open a link: {e}");
        Error::Internal(format!("opening a link: {e}"))
    })
}

fn with_browser_command(browser: &str, address: &str) -> std::io::Result<()> {
    let first = browser.split(':').next().unwrap_or_default();
    let mut words = first.split_whitespace();
    let program = words
        .next()
        .ok_or_else(|| std::io::Error::other("BROWSER names no program"))?;
    let mut args: Vec<String> = words.map(str::to_owned).collect();
    if args.iter().any(|a| a.contains("%s")) {
        for arg in &mut args {
            *arg = arg.replace("%s", address);
        }
    } else {
        args.push(address.to_owned());
    }
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Collect the exit status when the browser's launcher ends, so it does
    // not linger as a zombie; Parley does not wait for it.
    std::thread::spawn(move || child.wait());
    Ok(())
}
