// Generated from parley-core's Rust types by `src/bindings.rs`. Do not edit:
// run `PARLEY_UPDATE_BINDINGS=1 cargo test -p parley-core --test bindings`.

export type UserId = string;

export type ArticleId = string;

export type CommentId = string;

export type ErrorKind = "invalid" | "username_taken" | "bad_credentials" | "unauthorized" | "forbidden" | "not_found" | "internal";

export type ErrorBody = { kind: ErrorKind, message: string, };

export type Role = "admin" | "member";

export type User = { id: UserId, username: string, displayName: string, role: Role, createdAt: number, };

export type NewAccount = { username: string, displayName: string, password: string, };

export type ArticleSummary = { id: ArticleId, title: string, source: string, author: string, publishedAt: number, summary: string, tags: Array<string>, commentCount: number, };

export type Article = { id: ArticleId, title: string, source: string, author: string, url: string | null, publishedAt: number, summary: string, 
/**
 * Sanitized HTML: built only from escaped text, safe to insert as is.
 */
bodyHtml: string, tags: Array<string>, };

export type ThreadComment = { id: CommentId, parentId: CommentId | null, authorId: UserId, authorName: string, 
/**
 * Who this replies to, so deeply nested replies can say so when the
 * indentation no longer can.
 */
parentAuthorName: string | null, 
/**
 * 0 for a top-level comment, 1 for a reply to it, and so on.
 */
depth: number, 
/**
 * Exactly as written; shown as text, never as HTML.
 */
body: string, createdAt: number, };

export type Thread = { articleId: ArticleId, comments: Array<ThreadComment>, };
