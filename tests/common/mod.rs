//! What every integration test needs: its own database in its own folder.
#![allow(dead_code, reason = "each test binary uses a different part of this")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test set-up: a failure here is a failed test"
)]

use std::sync::Arc;

use parley_core::accounts::{NewAccount, User};
use parley_core::articles::{self, ArticleSummary};
use parley_core::clock::ManualClock;
use parley_core::comments::{self, Sort, ThreadComment, ThreadPage, ThreadQuery, MAX_PAGE};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::samples;
use parley_core::store::Store;
use tempfile::TempDir;

/// 2026-11-27 12:00 UTC: where every test's clock starts.
pub const START: i64 = 1_795_780_800_000;

/// A fresh Parley database with the sample library, deleted when dropped,
/// on a clock that moves only when the test says so.
pub struct TestDb {
    pub dir: TempDir,
    pub store: Store,
    pub clock: Arc<ManualClock>,
}

impl TestDb {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::starting_at(START);
        let store = parley_core::startup::open_with_clock(dir.path(), clock.clone())
            .await
            .unwrap();
        samples::add_samples_if_empty(&store).await.unwrap();
        Self { dir, store, clock }
    }

    /// Closes the database and opens it again from the same file, as a
    /// restart of the app would.
    pub async fn reopen(self) -> Self {
        self.store.close().await;
        let store = parley_core::startup::open_with_clock(self.dir.path(), self.clock.clone())
            .await
            .unwrap();
        Self { store, ..self }
    }

    /// A second connection pool on this test's file, for setting up what
    /// the API would not (old rows, triggers) and for reading behind it.
    pub async fn raw_pool(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new().filename(self.dir.path().join("parley.db")),
        )
        .await
        .unwrap()
    }

    pub async fn articles(&self) -> Vec<ArticleSummary> {
        articles::list_articles(&self.store, None).await.unwrap()
    }

    pub async fn articles_for(&self, viewer: &User) -> Vec<ArticleSummary> {
        articles::list_articles(&self.store, Some(viewer))
            .await
            .unwrap()
    }

    pub async fn first_article(&self) -> ArticleId {
        self.articles().await[0].id
    }

    /// Creates an account whose password is `<username> correct horse`.
    pub async fn account(&self, username: &str, display_name: &str) -> User {
        parley_core::accounts::create_account(&self.store, new_account(username, display_name))
            .await
            .unwrap()
    }

    /// Posts one second after whatever happened before, so every comment
    /// has a time of its own.
    pub async fn post(
        &self,
        author: &User,
        article: ArticleId,
        parent: Option<CommentId>,
        body: &str,
    ) -> CommentId {
        self.clock.advance(1000);
        comments::post(&self.store, author, article, parent, body)
            .await
            .unwrap()
    }

    /// The whole discussion in `sort` order, as `viewer` sees it.
    pub async fn thread(
        &self,
        viewer: Option<&User>,
        article: ArticleId,
        sort: Sort,
    ) -> ThreadPage {
        let query = ThreadQuery {
            sort: Some(sort),
            limit: MAX_PAGE,
            ..ThreadQuery::default()
        };
        comments::thread_page(&self.store, viewer, article, &query)
            .await
            .unwrap()
    }
}

/// A fetcher that may reach this computer's own servers: the tests' own.
/// Answers every GET of `at` on `server` with `body`, as `content_type`.
pub async fn serve(
    server: &wiremock::MockServer,
    at: &str,
    body: impl Into<Vec<u8>>,
    content_type: &str,
) {
    wiremock::Mock::given(wiremock::matchers::path(at))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(body.into(), content_type))
        .mount(server)
        .await;
}

/// Follows the feed at `address` for `user`, as the Sources page does.
pub async fn follow(
    db: &TestDb,
    user: &User,
    address: &str,
) -> parley_core::library::sources::Refreshed {
    parley_core::library::sources::follow(&db.store, &fetcher(), user, address)
        .await
        .unwrap()
}

pub fn fetcher() -> parley_core::library::fetch::Fetcher {
    use parley_core::library::fetch::{FetchPolicy, Fetcher};
    Fetcher::new(FetchPolicy::allowing_loopback()).unwrap()
}

/// A real PNG image of `width` × `height` pixels.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(std::io::Cursor::new(&mut out), width, height);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().unwrap();
        let pixels: Vec<u8> = (0..width * height)
            .flat_map(|i| [40, (i % 200) as u8, 120])
            .collect();
        writer.write_image_data(&pixels).unwrap();
    }
    out
}

/// A real PNG image of `width` × `height` pixels of noise, which does not
/// compress: about three bytes a pixel.
pub fn noisy_png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state.to_le_bytes()[0]
    };
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(std::io::Cursor::new(&mut out), width, height);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().unwrap();
        let pixels: Vec<u8> = (0..width * height * 3).map(|_| next()).collect();
        writer.write_image_data(&pixels).unwrap();
    }
    out
}

pub fn new_account(username: &str, display_name: &str) -> NewAccount {
    NewAccount {
        username: username.into(),
        display_name: display_name.into(),
        password: password_for(username),
    }
}

pub fn password_for(username: &str) -> String {
    format!("{username} correct horse")
}

/// A comment's text: its rendered HTML without the paragraph wrapper.
pub fn text(c: &ThreadComment) -> String {
    c.body_html
        .trim()
        .trim_start_matches("<p>")
        .trim_end_matches("</p>")
        .to_owned()
}

/// (author, depth, text) for each comment in reading order.
pub fn shape(page: &ThreadPage) -> Vec<(String, u32, String)> {
    page.comments
        .iter()
        .map(|c| (c.author_name.clone(), c.depth, text(c)))
        .collect()
}

/// The expected value for [`shape`], from string literals.
pub fn expect(rows: &[(&str, u32, &str)]) -> Vec<(String, u32, String)> {
    rows.iter()
        .map(|(a, d, b)| ((*a).to_owned(), *d, (*b).to_owned()))
        .collect()
}
