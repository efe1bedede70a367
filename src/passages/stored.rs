//! Passages as they are kept: written with a comment or a highlight on the
//! version of the article the person was reading, and placed again on each
//! new version when the article changes at its source.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::anchor::{place_on, Placement, Text};
use super::selector::Selector;
use super::text;
use crate::clock::Millis;
use crate::ids::{ArticleId, PassageId};
use crate::store::{exec, rows, small, Db, Write};
use crate::{Error, Result};

/// How a passage sits on the version of the article shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, TS)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Placed {
    /// Its words are where they were.
    Exact,
    /// Its words were found again elsewhere in the text.
    Moved,
    /// Words that changed a little were found in its place.
    Fuzzy,
    /// It could not be placed with confidence: "no longer in the article".
    Gone,
}

/// A passage as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Passage {
    pub id: PassageId,
    /// The words quoted, as they were when it was written.
    pub quote: String,
    /// The version of the article it was written on.
    #[ts(type = "number")]
    pub version: i64,
    /// Where it is on the version shown, in characters of its text
    /// (`text::of_html`); absent when it is gone.
    pub start: Option<u32>,
    pub end: Option<u32>,
    pub placed: Placed,
}

/// What the window sends to quote a passage: the version it shows, where
/// the words start and end in characters of that version's text, and the
/// words themselves (checked against those offsets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NewPassage {
    #[ts(type = "number")]
    pub version: i64,
    pub start: u32,
    pub end: u32,
    pub quote: String,
}

/// A passage's row; the columns are [`COLUMNS`], read from `passages p`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct PassageRow {
    pub(crate) id: PassageId,
    pub(crate) version: i64,
    pub(crate) exact: String,
    pub(crate) prefix: String,
    pub(crate) suffix: String,
    pub(crate) start_at: i64,
    pub(crate) end_at: i64,
    pub(crate) placed: Placed,
    pub(crate) placed_start: Option<i64>,
    pub(crate) placed_end: Option<i64>,
}

/// The columns of [`PassageRow`], from `passages p`.
pub(crate) const COLUMNS: &str = "p.id, p.version, p.exact, p.prefix, p.suffix, p.start_at, \
                                  p.end_at, p.placed, p.placed_start, p.placed_end";

impl PassageRow {
    /// As it is on the article's current version.
    pub(crate) fn on_current(&self) -> Passage {
        let range = match (self.placed, self.placed_start, self.placed_end) {
            (Placed::Gone, _, _) => None,
            (_, Some(start), Some(end)) => Some((small(start), small(end))),
            _ => None,
        };
        Passage {
            id: self.id,
            quote: self.exact.clone(),
            version: self.version,
            start: range.map(|r| r.0),
            end: range.map(|r| r.1),
            placed: if range.is_some() {
                self.placed
            } else {
                Placed::Gone
            },
        }
    }

    /// As it is on `version` of the article, whose text is `text`.
    fn on(&self, version: i64, text: &Text<'_>) -> Passage {
        if version == self.version {
            return Passage {
                id: self.id,
                quote: self.exact.clone(),
                version: self.version,
                start: Some(small(self.start_at)),
                end: Some(small(self.end_at)),
                placed: Placed::Exact,
            };
        }
        let placement = place_on(&self.selector_near(self.start_at), text);
        self.shown(placement)
    }

    fn shown(&self, placement: Placement) -> Passage {
        let (placed, range) = split(placement);
        Passage {
            id: self.id,
            quote: self.exact.clone(),
            version: self.version,
            start: range.map(|r| r.0),
            end: range.map(|r| r.1),
            placed,
        }
    }

    /// Its selector as written, looked for near `start` (the last place it
    /// was found): a passage is always matched against its own words, so
    /// many small changes cannot walk it away from them.
    fn selector_near(&self, start: i64) -> Selector {
        let len = self.end_at - self.start_at;
        Selector {
            exact: self.exact.clone(),
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            start: small(start),
            end: small(start + len),
        }
    }
}

fn split(placement: Placement) -> (Placed, Option<(u32, u32)>) {
    let placed = match placement {
        Placement::Exact { .. } => Placed::Exact,
        Placement::Moved { .. } => Placed::Moved,
        Placement::Fuzzy { .. } => Placed::Fuzzy,
        Placement::Gone => Placed::Gone,
    };
    (placed, placement.range())
}

/// The current version's number and text of `article`. Fails with
/// `NotFound` when it is not in the library.
pub(crate) async fn text_of_current(db: &mut dyn Db, article: ArticleId) -> Result<(i64, String)> {
    let (version, html) = rows!(
        (i64, String),
        fetch_optional,
        db,
        "SELECT text_version, body_html FROM articles WHERE id = $1",
        article
    )?
    .ok_or_else(|| Error::not_found("That article is no longer in the library."))?;
    Ok((version, text::of_html(&html)))
}

/// Keeps `new`, a passage of the current version of `article`, checked
/// against that version's text (its offsets must hold its quote), and
/// returns its id.
pub(crate) async fn insert(
    tx: &mut Write,
    article: ArticleId,
    new: &NewPassage,
    now: Millis,
) -> Result<PassageId> {
    let (version, text) = text_of_current(tx, article).await?;
    if new.version != version {
        return Err(Error::invalid(
            "This article was updated while you were reading it. \
             Open it again and select the words once more.",
        ));
    }
    let sent = Selector {
        exact: new.quote.clone(),
        prefix: String::new(),
        suffix: String::new(),
        start: new.start,
        end: new.end,
    };
    let selector = sent.checked(&text)?;
    let id = PassageId::new();
    exec!(
        tx,
        "INSERT INTO passages (id, article_id, version, exact, prefix, suffix, start_at, end_at,
                               placed, placed_start, placed_end, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'exact', $7, $8, $9)",
        id,
        article,
        version,
        &selector.exact,
        &selector.prefix,
        &selector.suffix,
        i64::from(selector.start),
        i64::from(selector.end),
        now
    )?;
    Ok(id)
}

/// Places every passage of `article` again on its new current text
/// (after an update at its source), and keeps where each one is, or that
/// it is gone.
pub(crate) async fn place_again(tx: &mut Write, article: ArticleId, new_text: &str) -> Result<()> {
    let sql = format!("SELECT {COLUMNS} FROM passages p WHERE p.article_id = $1");
    let rows = rows!(PassageRow, fetch_all, tx, &sql, article)?;
    if rows.is_empty() {
        return Ok(());
    }
    let text = Text::new(new_text);
    for row in rows {
        let near = row.placed_start.unwrap_or(row.start_at);
        let (placed, range) = split(place_on(&row.selector_near(near), &text));
        exec!(
            tx,
            "UPDATE passages SET placed = $1, placed_start = $2, placed_end = $3 WHERE id = $4",
            placed,
            range.map(|r| i64::from(r.0)),
            range.map(|r| i64::from(r.1)),
            row.id
        )?;
    }
    Ok(())
}

/// `rows` as they are on `version` of their article, whose body is
/// `body_html`; `current` is the article's current version, on which the
/// places are already kept.
pub(crate) fn placed_on(
    rows: &[PassageRow],
    version: i64,
    current: i64,
    body_html: &str,
) -> Vec<Passage> {
    if version == current {
        return rows.iter().map(PassageRow::on_current).collect();
    }
    let text = text::of_html(body_html);
    let text = Text::new(&text);
    rows.iter().map(|row| row.on(version, &text)).collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct Quoting {
    pub(crate) comment: crate::ids::CommentId,
    #[sqlx(flatten)]
    pub(crate) passage: PassageRow,
}

/// The passages the comments of `article`'s discussion are about, by
/// comment, as they are on its current version.
pub(crate) async fn of_discussion(
    db: &mut dyn Db,
    article: ArticleId,
) -> Result<std::collections::HashMap<crate::ids::CommentId, Passage>> {
    let sql = format!(
        "SELECT c.id AS comment, {COLUMNS} FROM passages p JOIN comments c ON c.passage_id = p.id
         WHERE p.article_id = $1"
    );
    let rows = rows!(Quoting, fetch_all, db, &sql, article)?;
    Ok(rows
        .into_iter()
        .map(|q| (q.comment, q.passage.on_current()))
        .collect())
}
