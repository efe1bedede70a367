//! Browsing the library: pages that never skip or repeat an article,
//! filters by source and tag, and each person's read marks.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failed test"
)]

use crate::common;

use common::TestDb;
use parley_core::ids::{ArticleId, SourceId};
use parley_core::library::files;
use parley_core::library::listing::{self, LibraryQuery};

/// Adds `n` articles straight into the database, many sharing a date,
/// every third with the tag "harbour", every other from `source`.
async fn fill(db: &TestDb, n: usize, source: SourceId) {
    let mut statements = vec![(
        "INSERT INTO sources (id, feed_url, title, added_at, next_refresh_at)
         VALUES ($1, 'https://feed.example/x.xml', 'Feed X', 0, 0)"
            .to_owned(),
        vec![common::id(source)],
    )];
    for i in 0..n {
        let id = ArticleId::new();
        statements.push((
            "INSERT INTO articles (id, title, source, author, published_at, summary, body_html,
                                   created_at, origin, source_id)
             VALUES ($1, $2, 'Feed X', '', $3, '', '<p>x</p>', 0, 'feed', $4)"
                .to_owned(),
            vec![
                common::id(id),
                format!("Article {i}").into(),
                // Ten articles share each date: the order must still be total.
                (1_700_000_000_000_i64 + (i as i64 / 10) * 60_000).into(),
                common::maybe_id((i % 2 == 0).then_some(source)),
            ],
        ));
        if i % 3 == 0 {
            statements.push((
                "INSERT INTO article_tags (article_id, tag) VALUES ($1, 'harbour')".to_owned(),
                vec![common::id(id)],
            ));
        }
    }
    db.raw_exec_all(statements).await;
}

/// Every article the query lists, page by page.
async fn all_pages(
    db: &TestDb,
    viewer: Option<&parley_core::accounts::User>,
    mut query: LibraryQuery,
) -> Vec<ArticleId> {
    let mut seen = Vec::new();
    loop {
        let page = listing::page(&db.store, viewer, &query).await.unwrap();
        seen.extend(page.articles.iter().map(|a| a.id));
        match page.next {
            Some(next) => query.after = Some(next),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn pages_cover_the_library_once_each_newest_first() {
    let db = TestDb::new().await;
    let source = SourceId::new();
    fill(&db, 1_000, source).await;
    let everything = all_pages(
        &db,
        None,
        LibraryQuery {
            limit: 37,
            ..LibraryQuery::default()
        },
    )
    .await;
    let samples = db.articles().await.len() - 1_000;
    assert_eq!(everything.len(), 1_000 + samples);
    let mut unique = everything.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), everything.len(), "an article appeared twice");
    let listed: Vec<ArticleId> = db.articles().await.into_iter().map(|a| a.id).collect();
    assert_eq!(everything, listed, "the same order as the whole list");

    let from_source = all_pages(
        &db,
        None,
        LibraryQuery {
            source: Some(source),
            ..LibraryQuery::default()
        },
    )
    .await;
    assert_eq!(from_source.len(), 500);
    let tagged = all_pages(
        &db,
        None,
        LibraryQuery {
            tag: Some("Harbour".into()),
            limit: 100,
            ..LibraryQuery::default()
        },
    )
    .await;
    assert_eq!(tagged.len(), 334);
}

#[tokio::test]
async fn each_person_has_their_own_read_marks() {
    let db = TestDb::new().await;
    db.account("admin", "The Admin").await;
    let ada = db.account("ada", "Ada").await;
    let grace = db.account("grace", "Grace").await;
    let imported = files::import(
        &db.store,
        None,
        &ada,
        "tide.md",
        b"# Tide tables\n\nHigh water at noon.",
    )
    .await
    .unwrap();
    let unread_only = LibraryQuery {
        unread_only: true,
        limit: 200,
        ..LibraryQuery::default()
    };
    let total = db.articles().await.len();
    assert_eq!(
        all_pages(&db, Some(&ada), unread_only.clone()).await.len(),
        total
    );

    listing::mark_read(&db.store, &ada, imported.article_id)
        .await
        .unwrap();
    let first = &listing::page(&db.store, Some(&ada), &LibraryQuery::default())
        .await
        .unwrap()
        .articles;
    let tide = first.iter().find(|a| a.id == imported.article_id).unwrap();
    assert!(!tide.unread);
    assert_eq!(
        all_pages(&db, Some(&ada), unread_only.clone()).await.len(),
        total - 1
    );
    // Grace has read nothing.
    assert_eq!(
        all_pages(&db, Some(&grace), unread_only.clone())
            .await
            .len(),
        total
    );
    let for_grace = listing::page(&db.store, Some(&grace), &LibraryQuery::default())
        .await
        .unwrap();
    assert!(for_grace.articles.iter().all(|a| a.unread));
    // Signed out, nothing is unread, and asking for unread only is refused.
    let signed_out = listing::page(&db.store, None, &LibraryQuery::default())
        .await
        .unwrap();
    assert!(signed_out.articles.iter().all(|a| !a.unread));
    assert!(listing::page(&db.store, None, &unread_only).await.is_err());

    // Mark all read covers what Grace had in front of her, not what
    // arrived since.
    db.clock.advance(60_000);
    let late = files::import(&db.store, None, &ada, "late.md", b"# Late\n\nJust in.")
        .await
        .unwrap();
    let seen_then = LibraryQuery {
        up_to: Some(for_grace.as_of),
        ..LibraryQuery::default()
    };
    let marked = listing::mark_all_read(&db.store, &grace, &seen_then)
        .await
        .unwrap();
    assert_eq!(marked as usize, total);
    let still_unread = all_pages(&db, Some(&grace), unread_only.clone()).await;
    assert_eq!(still_unread, vec![late.article_id]);
    let marked = listing::mark_all_read(&db.store, &grace, &LibraryQuery::default())
        .await
        .unwrap();
    assert_eq!(marked, 1);
    assert!(all_pages(&db, Some(&grace), unread_only).await.is_empty());
}
