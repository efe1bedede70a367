//! How WebKit draws Parley's window. WebKitGTK rasterises pages with Skia
//! on the GPU. On a computer without one (no DRM render node: a virtual
//! machine, a remote or headless display such as Xvfb) that GPU is Mesa's
//! software rasteriser, and drawing through it costs twice what Skia's own
//! CPU path does: scrolling a 10,000-comment thread under Xvfb had a median
//! frame of 34 ms and a 99th percentile of 117 ms through it, 16 ms and
//! 52 ms on the CPU path (scripts/measure, README).
//!
//! Without a GPU the overlay scroll bar costs as much: it fades in and out
//! over a few seconds whenever the page scrolls or grows, and every frame
//! of the fade is composited again through Mesa. A profile of a launch
//! (`perf`, scripts/measure's launch under Xvfb) showed both cores busy in
//! llvmpipe for three and a half seconds after the library appeared, with
//! nothing moving but that bar; with GTK's classic scroll bar, which does
//! not fade, they rest.

use std::path::Path;

/// WebKitGTK's switch to Skia's CPU rasteriser; its web processes inherit
/// it from Parley's environment.
const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// GTK's switch between the overlay scroll bar and the classic one; WebKit
/// follows it for the page's scroll bar.
const OVERLAY_SCROLLING: &str = "GTK_OVERLAY_SCROLLING";

/// Chooses CPU rasterisation, and the classic scroll bar, when there is no
/// GPU to draw with, unless whoever started Parley set [`CPU_RENDERING`]
/// (or [`OVERLAY_SCROLLING`]) themselves. Returns what it chose, for the
/// log. Call it first thing, before any thread starts: it changes the
/// process's environment.
pub fn choose() -> &'static str {
    if std::env::var_os(CPU_RENDERING).is_some() {
        return "as the environment says (WEBKIT_SKIA_ENABLE_CPU_RENDERING)";
    }
    if has_render_node(Path::new("/dev/dri")) {
        return "on the GPU";
    }
    std::env::set_var(CPU_RENDERING, "1");
    if std::env::var_os(OVERLAY_SCROLLING).is_none() {
        std::env::set_var(OVERLAY_SCROLLING, "0");
    }
    "on the CPU (no GPU render node in /dev/dri), with the classic scroll bar"
}

/// Whether `dri` holds a DRM render node (`renderD128` and on): a GPU
/// this user may draw with.
fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_render_node_counts_as_a_gpu() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(&dir.path().join("missing")));
        assert!(!has_render_node(dir.path()));
        // A display controller alone (card0) draws nothing.
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(!has_render_node(dir.path()));
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
