//! A fence around the parsers that read what strangers wrote (feeds, OPML,
//! web pages, front matter, images). They are other people's code working
//! on hostile bytes; a bug that panics in one of them must end that one
//! parse, with a message on the item it was reading, never the command or
//! the background job around it.
//!
//! A stack overflow is not a panic and cannot be caught: input that could
//! recurse deeply is bounded before it reaches a parser (see
//! `readable.rs`).

use std::panic::{catch_unwind, AssertUnwindSafe};

/// A parser panicked on its input. The panic itself was logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Parley could not read this {0}")]
pub struct Panicked(pub &'static str);

/// Runs `parse`, which reads a `what` ("feed", "page", "file"…); a panic
/// inside it is logged and returned as [`Panicked`].
///
/// `parse` must only read its input and build its own result, so that
/// nothing it shares is left half-changed by the unwinding (the reason
/// `AssertUnwindSafe` is sound here).
pub fn contain_panics<T>(what: &'static str, parse: impl FnOnce() -> T) -> Result<T, Panicked> {
    catch_unwind(AssertUnwindSafe(parse)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        log::error!("the {what} parser panicked: {message}");
        Panicked(what)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::panic, reason = "the panic is what is being contained")]
    fn a_panic_becomes_an_error_and_a_result_passes_through() {
        assert_eq!(contain_panics("feed", || 7), Ok(7));
        let failed = contain_panics("feed", || -> u32 { panic!("set_encoding() called late") });
        assert_eq!(failed, Err(Panicked("feed")));
        assert_eq!(
            failed.map_err(|e| e.to_string()),
            Err("Parley could not read this feed".to_owned())
        );
    }
}
