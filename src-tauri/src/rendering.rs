//! How WebKit draws Parley's window. WebKitGTK rasterises pages with Skia
//! on the GPU. On a computer without one (no DRM render node: a virtual
//! machine, a remote or headless display such as Xvfb) that GPU is Mesa's
//! software rasteriser, and drawing through it costs twice what Skia's own
//! CPU path does: scrolling a 10,000-comment thread under Xvfb had a median
//! frame of 34 ms and a 99th percentile of 117 ms through it, 16 ms and
//! 52 ms on the CPU path (scripts/measure, README).

use std::path::Path;

/// WebKitGTK's switch to Skia's CPU rasteriser; its web processes inherit
/// it from Parley's environment.
const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Chooses CPU rasterisation when there is no GPU to draw with, unless
/// whoever started Parley set [`CPU_RENDERING`] themselves. Returns what
/// it chose, for the log. Call it first thing, before any thread starts:
/// it changes the process's environment.
pub fn choose() -> &'static str {
    if std::env::var_os(CPU_RENDERING).is_some() {
        return "as the environment says (WEBKIT_SKIA_ENABLE_CPU_RENDERING)";
    }
    if has_render_node(Path::new("/dev/dri")) {
        return "on the GPU";
    }
    std::env::set_var(CPU_RENDERING, "1");
    "on the CPU (no GPU render node in /dev/dri)"
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
