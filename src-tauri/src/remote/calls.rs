//! The server's routes as this desktop calls them: one method for each
//! command that works on a server, a few lines each, as the routes and
//! the commands are. Ids are parsed before they go into a path, so
//! nothing the window sends can name another route.

use parley_core::accounts::{NewAccount, User};
use parley_core::admin::AccountSummary;
use parley_core::articles::Article;
use parley_core::comments::{
    ReplyToMe, Revision, Sort, ThreadComment, ThreadPage, ThreadQuery, VoteChoice, VoteOutcome,
};
use parley_core::export::Format;
use parley_core::ids::{
    ArticleId, CommentId, HighlightId, ImageId, InviteId, MuteId, SessionId, SourceId,
};
use parley_core::library::images::{self, MAX_IMAGE_BYTES};
use parley_core::library::jobs::JobView;
use parley_core::library::listing::{LibraryPage, LibraryQuery, TagCount};
use parley_core::library::sanitize;
use parley_core::library::sources::Source;
use parley_core::membership::{InviteInfo, NewInvite, SignUp};
use parley_core::mutes::MutedPerson;
use parley_core::passages::{Colour, Highlight, HighlightQuery, Marks, NewPassage};
use parley_core::render;
use parley_core::search::{SearchQuery, SearchResults};
use parley_core::session::stored::SessionInfo;
use parley_core::{Error, Result};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::Server;

/// How long a file being imported may take to arrive.
const FILE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// `text` percent-encoded for a path segment or a query value.
fn encoded(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How long one image may take to arrive.
const IMAGE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// An API path from its segments, each percent-encoded but for the
/// characters URLs leave as they are (usernames may hold any character,
/// and a `/` or `..` in one must not name another route).
fn path(segments: &[&str]) -> String {
    let mut path = String::from("/api/v1");
    for segment in segments {
        path.push('/');
        path.push_str(&encoded(segment));
    }
    path
}

fn json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(format!("a request body: {e}")))
}

/// A page of a discussion with every comment's HTML cleaned again here:
/// the window inserts it as it is, so it must be what parley-core's own
/// sanitizer lets through, whatever the server sent.
fn cleaned_page(mut page: ThreadPage) -> ThreadPage {
    for comment in &mut page.comments {
        comment.body_html = render::clean(&comment.body_html);
    }
    page
}

/// The job a request started on the server.
#[derive(Debug, Deserialize)]
struct Started {
    job: Option<u64>,
}

/// What a session that began on the server answers.
#[derive(Debug, Deserialize)]
struct SignedIn {
    user: User,
    token: String,
}

/// How this desktop names itself in the person's list of sessions.
fn label() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    match host {
        Some(host) => format!("Parley on {host}"),
        None => "Parley desktop".into(),
    }
}

impl Server {
    async fn get<T: serde::de::DeserializeOwned>(&self, segments: &[&str]) -> Result<T> {
        self.call(Method::GET, &path(segments), None).await
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        body: Value,
    ) -> Result<T> {
        self.call(method, &path(segments), Some(body)).await
    }

    // Accounts and sessions.

    pub async fn sign_in(&self, username: &str, password: String) -> Result<User> {
        let body = json!({ "username": username, "password": password, "label": label() });
        let signed: SignedIn = self.send(Method::POST, &["sessions"], body).await?;
        self.signed_in(signed.token, signed.user.clone());
        Ok(signed.user)
    }

    /// Makes an account with the server's setup code (its first account)
    /// or an invite's code, and signs it in.
    pub async fn join(&self, account: NewAccount, code: Option<String>) -> Result<User> {
        let about = self.about().await?;
        let code = code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        let (setup_code, invite) = if about.needs_setup {
            (code, None)
        } else {
            (None, code)
        };
        let body = json!({
            "username": account.username,
            "displayName": account.display_name,
            "password": account.password,
            "setupCode": setup_code,
            "invite": invite,
            "label": label(),
        });
        let signed: SignedIn = self.send(Method::POST, &["accounts"], body).await?;
        self.signed_in(signed.token, signed.user.clone());
        Ok(signed.user)
    }

    /// Ends this window's session on the server. The window counts as
    /// signed out even when the server cannot be told (its session then
    /// ends by idle time).
    pub async fn sign_out(&self) -> Result<()> {
        if self.token().is_none() {
            return Ok(());
        }
        let told: Result<()> = self
            .call(Method::DELETE, &path(&["sessions", "current"]), None)
            .await;
        self.forget_session();
        match told {
            Err(e @ Error::Unavailable(_)) => {
                log::warn!("signed out here; the server was not told: {e}");
                Ok(())
            }
            other => other,
        }
    }

    /// Who is signed in, as the server says now (an ended session comes
    /// back as nobody, and the window signs out).
    pub async fn keep_alive(&self) -> Result<Option<User>> {
        if self.token().is_none() {
            return Ok(None);
        }
        match self.get::<User>(&["me"]).await {
            Ok(user) => {
                self.update_user(user.clone());
                Ok(Some(user))
            }
            Err(e) if e.kind() == parley_core::ErrorKind::Unauthorized => Ok(None),
            // Offline: whoever was signed in still is, as far as anyone knows.
            Err(Error::Unavailable(_)) => Ok(self.user()),
            Err(e) => Err(e),
        }
    }

    pub async fn set_display_name(&self, name: &str) -> Result<User> {
        let body = json!({ "displayName": name });
        let user: User = self
            .send(Method::PUT, &["me", "display-name"], body)
            .await?;
        self.update_user(user.clone());
        Ok(user)
    }

    pub async fn change_password(&self, current: String, new_password: String) -> Result<()> {
        let body = json!({ "current": current, "newPassword": new_password });
        self.send(Method::PUT, &["me", "password"], body).await
    }

    pub async fn delete_account(&self, password: String) -> Result<()> {
        let body = json!({ "password": password });
        self.send::<()>(Method::DELETE, &["me"], body).await?;
        self.forget_session();
        Ok(())
    }

    /// The person's sessions on the server, this one marked `current`.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>> {
        self.get(&["sessions"]).await
    }

    /// Ends every session of the person but this one; returns how many.
    pub async fn end_other_sessions(&self) -> Result<u64> {
        #[derive(Deserialize)]
        struct Ended {
            ended: u64,
        }
        let ended: Ended = self
            .call(Method::DELETE, &path(&["sessions", "others"]), None)
            .await?;
        Ok(ended.ended)
    }

    pub async fn end_session(&self, id: SessionId) -> Result<()> {
        let at = path(&["sessions", &id.to_string()]);
        self.call(Method::DELETE, &at, None).await
    }

    pub async fn set_author_muted(&self, comment: CommentId, muted: bool) -> Result<()> {
        let id = comment.to_string();
        let body = json!({ "muted": muted });
        self.send(Method::PUT, &["comments", &id, "author-muted"], body)
            .await
    }

    pub async fn muted_people(&self) -> Result<Vec<MutedPerson>> {
        self.get(&["me", "mutes"]).await
    }

    pub async fn unmute(&self, mute: MuteId) -> Result<()> {
        let id = mute.to_string();
        self.call(Method::DELETE, &path(&["me", "mutes", &id]), None)
            .await
    }

    // The admin's pages.

    pub async fn list_accounts(&self) -> Result<Vec<AccountSummary>> {
        self.get(&["admin", "accounts"]).await
    }

    /// `change` is one of promote, demote, disable, enable.
    pub async fn change_account(&self, username: &str, change: &str) -> Result<()> {
        // URLs read "." and ".." as steps up a path, encoded or not.
        if username.chars().all(|c| c == '.') {
            return Err(Error::NotFound(
                "There is no account by that username.".into(),
            ));
        }
        let at = path(&["admin", "accounts", username, change]);
        self.call(Method::POST, &at, None).await
    }

    // Who may join (the admin's).

    pub async fn invites(&self) -> Result<Vec<InviteInfo>> {
        self.get(&["invites"]).await
    }

    pub async fn create_invite(&self, days: u32) -> Result<NewInvite> {
        self.send(Method::POST, &["invites"], json!({ "days": days }))
            .await
    }

    pub async fn withdraw_invite(&self, id: InviteId) -> Result<()> {
        let at = path(&["invites", &id.to_string()]);
        self.call(Method::DELETE, &at, None).await
    }

    pub async fn sign_up(&self) -> Result<SignUp> {
        Ok(self.about().await?.sign_up)
    }

    pub async fn set_sign_up(&self, sign_up: SignUp) -> Result<()> {
        self.send(Method::PUT, &["sign-up"], json!({ "signUp": sign_up }))
            .await
    }

    // The library.

    pub async fn library_page(&self, query: &LibraryQuery) -> Result<LibraryPage> {
        self.send(Method::POST, &["library"], json(query)?).await
    }

    pub async fn library_tags(&self) -> Result<Vec<TagCount>> {
        self.get(&["library", "tags"]).await
    }

    pub async fn mark_all_read(&self, query: &LibraryQuery) -> Result<u64> {
        #[derive(Deserialize)]
        struct Marked {
            marked: u64,
        }
        let marked: Marked = self
            .send(Method::POST, &["library", "read"], json(query)?)
            .await?;
        Ok(marked.marked)
    }

    pub async fn article(&self, id: ArticleId, version: Option<i64>) -> Result<Article> {
        let mut at = path(&["articles", &id.to_string()]);
        if let Some(version) = version {
            at.push_str(&format!("?version={version}"));
        }
        let mut article: Article = self.call(Method::GET, &at, None).await?;
        article.body_html = sanitize::clean_again(&article.body_html);
        Ok(article)
    }

    pub async fn delete_article(&self, id: ArticleId) -> Result<()> {
        let at = path(&["articles", &id.to_string()]);
        self.call(Method::DELETE, &at, None).await
    }

    pub async fn list_sources(&self) -> Result<Vec<Source>> {
        self.get(&["sources"]).await
    }

    pub async fn remove_source(&self, id: SourceId) -> Result<()> {
        let at = path(&["sources", &id.to_string()]);
        self.call(Method::DELETE, &at, None).await
    }

    pub async fn set_refresh_interval(&self, id: SourceId, minutes: u32) -> Result<()> {
        let id = id.to_string();
        let body = json!({ "minutes": minutes });
        self.send(Method::PUT, &["sources", &id, "interval"], body)
            .await
    }

    /// An image stored with one of the server's articles: its type (as its
    /// bytes say, whatever the server claims) and bytes, or `None`.
    pub async fn image(&self, id: ImageId) -> Result<Option<(&'static str, Vec<u8>)>> {
        let url = self.url(&path(&["images", &id.to_string()]))?;
        let mut request = self.http().get(url).timeout(IMAGE_TIME_LIMIT);
        if let Some(token) = self.token() {
            request = request.bearer_auth(token);
        }
        let mut response = request.send().await.map_err(|e| self.unreachable(&e))?;
        if !response.status().is_success() {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.unreachable(&e))? {
            if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                return Ok(None);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(images::image_type(&bytes).map(|kind| (kind, bytes)))
    }

    // The library's long work, done by the server for the group.

    pub async fn follow_feed(&self, address: &str) -> Result<u64> {
        self.start(&["feeds"], json!({ "address": address })).await
    }

    pub async fn save_page(&self, address: &str) -> Result<u64> {
        self.start(&["pages"], json!({ "address": address })).await
    }

    pub async fn refresh_source(&self, id: SourceId) -> Result<u64> {
        self.start(&["sources", &id.to_string(), "refresh"], json!({}))
            .await
    }

    pub async fn refresh_all(&self) -> Result<u64> {
        self.start(&["sources", "refresh"], json!({})).await
    }

    async fn start(&self, segments: &[&str], body: Value) -> Result<u64> {
        let started: Started = self.send(Method::POST, segments, body).await?;
        started
            .job
            .ok_or_else(|| Error::Internal("the server started no job".into()))
    }

    /// Sends one file to import; returns its job (none: an OPML file with
    /// nothing new in it).
    pub async fn import_file(&self, name: &str, bytes: Vec<u8>) -> Result<Option<u64>> {
        let at = format!("{}?name={}", path(&["imports"]), encoded(name));
        let request = self
            .request(Method::POST, &at)?
            .timeout(FILE_TIME_LIMIT)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        let answer = self.answer(request).await?;
        let started: Started = serde_json::from_slice(&answer)
            .map_err(|e| Error::Internal(format!("the server's answer to an import: {e}")))?;
        Ok(started.job)
    }

    /// An article and its discussion, to save: a file name and its text.
    pub async fn export_article(&self, id: ArticleId, format: Format) -> Result<(String, String)> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Exported {
            file_name: String,
            contents: String,
        }
        let format = match format {
            Format::Markdown => "markdown",
            Format::Json => "json",
        };
        let at = format!(
            "{}?format={format}",
            path(&["articles", &id.to_string(), "export"])
        );
        let exported: Exported = self.call(Method::GET, &at, None).await?;
        Ok((exported.file_name, exported.contents))
    }

    /// The feeds the person follows, as OPML.
    pub async fn subscriptions(&self) -> Result<Vec<u8>> {
        let request = self.request(Method::GET, &path(&["me", "subscriptions"]))?;
        self.answer(request).await
    }

    pub async fn jobs(&self) -> Result<Vec<JobView>> {
        self.get(&["jobs"]).await
    }

    pub async fn cancel_job(&self, id: u64) -> Result<()> {
        let at = path(&["jobs", &id.to_string(), "cancel"]);
        self.call(Method::POST, &at, None).await
    }

    pub async fn retry_job(&self, id: u64) -> Result<Option<u64>> {
        let at = path(&["jobs", &id.to_string(), "retry"]);
        let started: Started = self.call(Method::POST, &at, None).await?;
        Ok(started.job)
    }

    pub async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        self.send(Method::POST, &["search"], json(query)?).await
    }

    pub async fn search_sources(&self) -> Result<Vec<String>> {
        self.get(&["search", "sources"]).await
    }

    // Passages and highlights.

    pub async fn marks(&self, article: ArticleId, version: Option<i64>) -> Result<Marks> {
        let mut at = path(&["articles", &article.to_string(), "marks"]);
        if let Some(version) = version {
            at.push_str(&format!("?version={version}"));
        }
        self.call(Method::GET, &at, None).await
    }

    pub async fn highlight(
        &self,
        article: ArticleId,
        passage: &NewPassage,
        colour: Colour,
        note: &str,
    ) -> Result<Highlight> {
        let article = article.to_string();
        let body = json!({ "passage": passage, "colour": colour, "note": note });
        self.send(Method::POST, &["articles", &article, "highlights"], body)
            .await
    }

    pub async fn my_highlights(&self, query: &HighlightQuery) -> Result<Vec<Highlight>> {
        let mut pairs: Vec<String> = Vec::new();
        if let Some(colour) = query.colour {
            pairs.push(format!("colour={}", colour.name()));
        }
        if let Some(source) = &query.source {
            pairs.push(format!("source={}", encoded(source)));
        }
        if let Some(text) = &query.text {
            pairs.push(format!("text={}", encoded(text)));
        }
        if let Some(article) = query.article_id {
            pairs.push(format!("articleId={article}"));
        }
        let mut at = path(&["me", "highlights"]);
        if !pairs.is_empty() {
            at.push('?');
            at.push_str(&pairs.join("&"));
        }
        self.call(Method::GET, &at, None).await
    }

    pub async fn edit_highlight(
        &self,
        id: HighlightId,
        colour: Colour,
        note: &str,
    ) -> Result<Highlight> {
        let body = json!({ "colour": colour, "note": note });
        self.send(Method::PATCH, &["highlights", &id.to_string()], body)
            .await
    }

    pub async fn delete_highlight(&self, id: HighlightId) -> Result<()> {
        let at = path(&["highlights", &id.to_string()]);
        self.call(Method::DELETE, &at, None).await
    }

    // Discussions.

    pub async fn open_discussion(&self, id: ArticleId, query: &ThreadQuery) -> Result<ThreadPage> {
        let id = id.to_string();
        let page = self
            .send(Method::POST, &["articles", &id, "discussion"], json(query)?)
            .await?;
        Ok(cleaned_page(page))
    }

    pub async fn thread_page(&self, id: ArticleId, query: &ThreadQuery) -> Result<ThreadPage> {
        let id = id.to_string();
        let page = self
            .send(Method::POST, &["articles", &id, "thread"], json(query)?)
            .await?;
        Ok(cleaned_page(page))
    }

    pub async fn comment_view(&self, id: CommentId) -> Result<ThreadComment> {
        let mut comment: ThreadComment = self.get(&["comments", &id.to_string()]).await?;
        comment.body_html = render::clean(&comment.body_html);
        Ok(comment)
    }

    pub async fn comment_history(&self, id: CommentId) -> Result<Vec<Revision>> {
        let mut revisions: Vec<Revision> =
            self.get(&["comments", &id.to_string(), "history"]).await?;
        for revision in &mut revisions {
            revision.body_html = render::clean(&revision.body_html);
        }
        Ok(revisions)
    }

    /// Posts a comment with the id the window chose for it: sending the
    /// same id again is the same comment.
    pub async fn post_comment(
        &self,
        article: ArticleId,
        parent: Option<CommentId>,
        body: &str,
        id: CommentId,
        passage: Option<&NewPassage>,
    ) -> Result<CommentId> {
        #[derive(Deserialize)]
        struct Posted {
            id: CommentId,
        }
        let article = article.to_string();
        let request = json!({
            "id": id.to_string(),
            "parentId": parent.map(|p| p.to_string()),
            "body": body,
            "passage": passage,
        });
        let posted: Posted = self
            .send(Method::POST, &["articles", &article, "comments"], request)
            .await?;
        Ok(posted.id)
    }

    pub async fn edit_comment(&self, id: CommentId, body: &str) -> Result<()> {
        let at = id.to_string();
        self.send(Method::PATCH, &["comments", &at], json!({ "body": body }))
            .await
    }

    pub async fn delete_comment(&self, id: CommentId) -> Result<()> {
        let at = path(&["comments", &id.to_string()]);
        self.call(Method::DELETE, &at, None).await
    }

    pub async fn vote(&self, id: CommentId, choice: VoteChoice) -> Result<VoteOutcome> {
        let at = id.to_string();
        let body = json!({ "choice": choice });
        self.send(Method::PUT, &["comments", &at, "vote"], body)
            .await
    }

    pub async fn set_thread_sort(&self, sort: Sort) -> Result<()> {
        self.send(Method::PUT, &["me", "sort"], json!({ "sort": sort }))
            .await
    }

    pub async fn set_collapsed(&self, id: CommentId, collapsed: bool) -> Result<()> {
        let at = id.to_string();
        let body = json!({ "collapsed": collapsed });
        self.send(Method::PUT, &["comments", &at, "collapsed"], body)
            .await
    }

    pub async fn replies_to_me(&self) -> Result<Vec<ReplyToMe>> {
        let mut replies: Vec<ReplyToMe> = self.get(&["me", "replies"]).await?;
        for reply in &mut replies {
            reply.body_html = render::clean(&reply.body_html);
        }
        Ok(replies)
    }

    pub async fn remove_comment(&self, id: CommentId) -> Result<()> {
        let at = path(&["comments", &id.to_string(), "removal"]);
        self.call(Method::POST, &at, None).await
    }

    pub async fn set_locked(&self, id: ArticleId, locked: bool) -> Result<()> {
        let at = id.to_string();
        let body = json!({ "locked": locked });
        self.send(Method::PUT, &["articles", &at, "locked"], body)
            .await
    }

    pub async fn set_pinned(&self, id: CommentId, pinned: bool) -> Result<()> {
        let at = id.to_string();
        let body = json!({ "pinned": pinned });
        self.send(Method::PUT, &["comments", &at, "pinned"], body)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::path;

    #[test]
    fn path_segments_are_encoded_so_none_names_another_route() {
        assert_eq!(path(&["articles", "abc"]), "/api/v1/articles/abc");
        assert_eq!(
            path(&["admin", "accounts", "../../me", "promote"]),
            "/api/v1/admin/accounts/%2E%2E%2F%2E%2E%2Fme/promote"
        );
        assert_eq!(
            path(&["admin", "accounts", "ana maría", "enable"]),
            "/api/v1/admin/accounts/ana%20mar%C3%ADa/enable"
        );
    }
}
