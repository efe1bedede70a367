//! Comment Markdown to sanitized HTML. (Being written.)
