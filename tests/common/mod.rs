//! What every integration test needs: its own database in its own folder,
//! on the engine `PARLEY_TEST_ENGINE` names (`sqlite`, the default, or
//! `postgres`: a database of its own on the server the standard `PG*`
//! variables point at, as `pg_virtualenv` sets them; see `scripts/test`).
#![allow(dead_code, reason = "each test binary uses a different part of this")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test set-up: a failure here is a failed test"
)]

use std::sync::Arc;

use parley_core::accounts::{NewAccount, User};
use parley_core::articles::{self, ArticleSummary};
use parley_core::clock::{Clock, ManualClock};
use parley_core::comments::{self, Sort, ThreadComment, ThreadPage, ThreadQuery, MAX_PAGE};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::samples;
use parley_core::store::Store;
use tempfile::TempDir;

/// `$query` with each of `$values` (a slice of [`V`]) bound in order.
macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut q = $query;
        for value in $values {
            q = match value {
                V::Text(v) => q.bind(v.clone()),
                V::Uuid(v) => q.bind(*v),
                V::MaybeUuid(v) => q.bind(*v),
                V::Int(v) => q.bind(*v),
                V::Bool(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// 2026-11-27 12:00 UTC: where every test's clock starts.
pub const START: i64 = 1_795_780_800_000;

/// The engine the tests run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The variable that chooses the engine.
pub const ENGINE_ENV: &str = "PARLEY_TEST_ENGINE";

/// The engine `PARLEY_TEST_ENGINE` names; a name it does not know fails
/// the test rather than quietly running on another.
pub fn engine() -> Engine {
    match std::env::var(ENGINE_ENV).as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => Engine::Sqlite,
        Ok("postgres") => Engine::Postgres,
        Ok(other) => panic!("{ENGINE_ENV}={other}: the engines are sqlite and postgres"),
    }
}

/// For a test about the SQLite file itself (its pragmas, backups, what a
/// program other than Parley can do to it): true, after saying so, when
/// the suite runs on another engine, where the test has nothing to check.
pub fn sqlite_only(why: &str) -> bool {
    let other = engine() != Engine::Sqlite;
    if other {
        eprintln!("SQLite only ({why}): not run on {:?}", engine());
    }
    other
}

/// Where a test's database is.
pub enum Place {
    /// `parley.db` in the test's folder.
    File,
    /// A database of the test's own on the PostgreSQL server.
    Server(String),
}

/// A fresh Parley database with the sample library, deleted when dropped,
/// on a clock that moves only when the test says so.
pub struct TestDb {
    pub dir: TempDir,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub place: Place,
}

impl TestDb {
    pub async fn new() -> Self {
        let db = Self::empty().await;
        samples::add_samples_if_empty(&db.store).await.unwrap();
        db
    }

    /// A fresh database without the sample library.
    pub async fn empty() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::starting_at(START);
        let place = match engine() {
            Engine::Sqlite => Place::File,
            Engine::Postgres => Place::Server(new_server_database().await),
        };
        let store = open(&dir, &place, clock.clone()).await;
        Self {
            dir,
            store,
            clock,
            place,
        }
    }

    /// Closes the database and opens it again, as a restart of the app
    /// (or the server) would.
    pub async fn reopen(self) -> Self {
        self.store.close().await;
        let store = open(&self.dir, &self.place, self.clock.clone()).await;
        Self { store, ..self }
    }

    /// A second store on this test's database, as a second process
    /// would have (its own connections, its own caches).
    pub async fn second_store(&self) -> Store {
        open(&self.dir, &self.place, self.clock.clone()).await
    }

    /// A second store on this test's database whose time is `clock`'s.
    pub async fn store_with_clock(&self, clock: Arc<dyn Clock>) -> Store {
        open(&self.dir, &self.place, clock).await
    }

    /// A second connection pool on this test's file, for setting up what
    /// the API would not (old rows, triggers) and for reading behind it.
    /// SQLite only: a test that needs it says so with [`sqlite_only`].
    pub async fn raw_pool(&self) -> sqlx::SqlitePool {
        assert!(
            matches!(self.place, Place::File),
            "raw_pool reads the SQLite file; this test must say sqlite_only"
        );
        sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new().filename(self.dir.path().join("parley.db")),
        )
        .await
        .unwrap()
    }

    /// Runs `sql` (placeholders `$1`, `$2` … bound to `texts`) straight on
    /// this test's database, on either engine: for setting up what the API
    /// would not (an old password hash) and for reading behind it.
    pub async fn raw_exec(&self, sql: &str, values: &[V]) -> u64 {
        self.raw_exec_all(vec![(sql.to_owned(), values.to_vec())])
            .await
    }

    /// Runs each of `statements` as [`TestDb::raw_exec`] does, all in one
    /// transaction; returns the rows they changed, together.
    pub async fn raw_exec_all(&self, statements: Vec<(String, Vec<V>)>) -> u64 {
        macro_rules! run_all {
            ($conn:expr) => {{
                let mut changed = 0;
                for (sql, values) in &statements {
                    let q = bind_all!(sqlx::query(sql), values);
                    changed += q.execute(&mut *$conn).await.unwrap().rows_affected();
                }
                changed
            }};
        }
        match &self.place {
            Place::File => {
                let pool = self.raw_pool().await;
                let mut tx = pool.begin().await.unwrap();
                let changed = run_all!(tx);
                tx.commit().await.unwrap();
                pool.close().await;
                changed
            }
            #[cfg(feature = "postgres")]
            Place::Server(url) => {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let mut tx = conn.begin().await.unwrap();
                let changed = run_all!(tx);
                tx.commit().await.unwrap();
                conn.close().await.unwrap();
                changed
            }
            #[cfg(not(feature = "postgres"))]
            Place::Server(_) => unreachable!("no server database without the postgres feature"),
        }
    }

    /// The one text `sql` selects (see [`TestDb::raw_exec`]), or `None`.
    pub async fn raw_text(&self, sql: &str, texts: &[&str]) -> Option<String> {
        match &self.place {
            Place::File => {
                let pool = self.raw_pool().await;
                let mut q = sqlx::query_scalar(sql);
                for t in texts {
                    q = q.bind(*t);
                }
                let found = q.fetch_optional(&pool).await.unwrap();
                pool.close().await;
                found
            }
            Place::Server(url) => raw_server_text(url, sql, texts).await,
        }
    }

    /// The one number `sql` selects (see [`TestDb::raw_exec`]); written
    /// so that it is a BIGINT on PostgreSQL (`count(*)`, `CAST(… AS BIGINT)`).
    pub async fn raw_i64(&self, sql: &str, values: &[V]) -> i64 {
        macro_rules! one {
            ($conn:expr) => {{
                let q = bind_all!(sqlx::query_scalar(sql), values);
                q.fetch_one($conn).await.unwrap()
            }};
        }
        match &self.place {
            Place::File => {
                let pool = self.raw_pool().await;
                let n = one!(&pool);
                pool.close().await;
                n
            }
            #[cfg(feature = "postgres")]
            Place::Server(url) => {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let n = one!(&mut conn);
                conn.close().await.unwrap();
                n
            }
            #[cfg(not(feature = "postgres"))]
            Place::Server(_) => unreachable!("no server database without the postgres feature"),
        }
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

    /// The whole discussion of `article` on `store` in `sort` order, as
    /// `viewer` sees it.
    pub async fn thread_of(
        store: &Store,
        viewer: Option<&User>,
        article: ArticleId,
        sort: Sort,
    ) -> ThreadPage {
        let query = ThreadQuery {
            sort: Some(sort),
            limit: MAX_PAGE,
            ..ThreadQuery::default()
        };
        comments::thread_page(store, viewer, article, &query)
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
        Self::thread_of(&self.store, viewer, article, sort).await
    }
}

/// A fetcher that may reach this computer's own servers: the tests' own.
/// Answers every GET of `at` on `server` with `body`, as `content_type`.
/// A value bound to a raw statement ([`TestDb::raw_exec`]).
#[derive(Debug, Clone)]
pub enum V {
    Text(String),
    Uuid(uuid::Uuid),
    MaybeUuid(Option<uuid::Uuid>),
    Int(i64),
    Bool(bool),
}

impl From<&str> for V {
    fn from(v: &str) -> Self {
        V::Text(v.to_owned())
    }
}

impl From<&String> for V {
    fn from(v: &String) -> Self {
        V::Text(v.clone())
    }
}

impl From<String> for V {
    fn from(v: String) -> Self {
        V::Text(v)
    }
}

impl From<i64> for V {
    fn from(v: i64) -> Self {
        V::Int(v)
    }
}

impl From<bool> for V {
    fn from(v: bool) -> Self {
        V::Bool(v)
    }
}

/// Any of Parley's ids binds as its UUID.
pub fn id(id: impl Into<uuid::Uuid>) -> V {
    V::Uuid(id.into())
}

/// An id or NULL.
pub fn maybe_id<T: Into<uuid::Uuid>>(id: Option<T>) -> V {
    V::MaybeUuid(id.map(Into::into))
}

/// Opens Parley's store on `place`.
async fn open(dir: &TempDir, place: &Place, clock: Arc<dyn Clock>) -> Store {
    match place {
        Place::File => parley_core::startup::open_with_clock(dir.path(), clock)
            .await
            .unwrap(),
        Place::Server(url) => open_server(url, clock).await,
    }
}

#[cfg(feature = "postgres")]
async fn open_server(url: &str, clock: Arc<dyn Clock>) -> Store {
    parley_core::startup::open_url(url, clock).await.unwrap()
}

#[cfg(not(feature = "postgres"))]
async fn open_server(_: &str, _: Arc<dyn Clock>) -> Store {
    panic!("{ENGINE_ENV}=postgres needs parley-core built with --features postgres");
}

#[cfg(feature = "postgres")]
async fn raw_server_text(url: &str, sql: &str, texts: &[&str]) -> Option<String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let mut q = sqlx::query_scalar(sql);
    for t in texts {
        q = q.bind(*t);
    }
    let found = q.fetch_optional(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    found
}

#[cfg(not(feature = "postgres"))]
async fn raw_server_text(_: &str, _: &str, _: &[&str]) -> Option<String> {
    unreachable!("no server database without the postgres feature")
}

/// A new, empty database on the PostgreSQL server the `PG*` variables
/// name (as `pg_virtualenv` sets them), and its address. A missing
/// server fails the test with what to install.
#[cfg(feature = "postgres")]
pub async fn new_server_database() -> String {
    use sqlx::Connection;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(host) = var("PGHOST") else {
        panic!(
            "{ENGINE_ENV}=postgres needs a PostgreSQL server: PGHOST, PGPORT, PGUSER and \
             PGPASSWORD name it. ./scripts/test starts a throw-away one with pg_virtualenv \
             (Debian's postgresql package: apt-get install postgresql)."
        )
    };
    let port = var("PGPORT").unwrap_or_else(|| "5432".into());
    let user = var("PGUSER").unwrap_or_else(|| "postgres".into());
    let password = var("PGPASSWORD").unwrap_or_default();
    let name = format!("parley_test_{}", uuid::Uuid::now_v7().simple());
    let at = |db: &str| {
        let mut url = url::Url::parse("postgres://localhost").unwrap();
        url.set_path(db);
        url.query_pairs_mut()
            .append_pair("host", &host)
            .append_pair("port", &port)
            .append_pair("user", &user)
            .append_pair("password", &password);
        url.to_string()
    };
    let mut admin = sqlx::PgConnection::connect(&at("postgres"))
        .await
        .unwrap_or_else(|e| panic!("connecting to PostgreSQL at {host}:{port}: {e}"));
    // UTF-8 whatever the cluster's locale: search reads words by it.
    sqlx::query(&format!(
        "CREATE DATABASE {name} ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    at(&name)
}

#[cfg(not(feature = "postgres"))]
pub async fn new_server_database() -> String {
    panic!("{ENGINE_ENV}=postgres needs parley-core built with --features postgres");
}

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
