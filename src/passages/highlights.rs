//! Highlights: passages a person keeps for themselves, in one of four
//! colours, with a note if they like. Nobody else sees them, or can tell
//! that they exist: every read and write here is of the signed-in
//! person's own rows, and another's id is answered as if it were unknown.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::stored::{self, NewPassage, Passage, PassageRow, COLUMNS};
use crate::clock::Millis;
use crate::ids::{ArticleId, HighlightId};
use crate::policy::{authorize, Action};
use crate::store::{exec, rows, scalar, Store};
use crate::text::{char_count, has_control_chars};
use crate::users::User;
use crate::{Error, Result};

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 5_000;
/// The most highlights one person keeps: far more than anyone makes, and
/// a bound on what one account can store.
pub const MAX_HIGHLIGHTS: i64 = 50_000;

/// A highlight's colour. The window also tells them apart by pattern, not
/// by colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, TS)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Colour {
    Yellow,
    Green,
    Blue,
    Pink,
}

impl Colour {
    pub const ALL: [Colour; 4] = [Colour::Yellow, Colour::Green, Colour::Blue, Colour::Pink];

    pub fn name(self) -> &'static str {
        match self {
            Colour::Yellow => "yellow",
            Colour::Green => "green",
            Colour::Blue => "blue",
            Colour::Pink => "pink",
        }
    }
}

/// A highlight as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Highlight {
    pub id: HighlightId,
    pub article_id: ArticleId,
    pub article_title: String,
    /// The article's source, as the library names it.
    pub source: String,
    pub author: String,
    /// The original's address, when it has one.
    pub url: Option<String>,
    /// Where it is on the article's current version.
    pub passage: Passage,
    pub colour: Colour,
    pub note: String,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number")]
    pub updated_at: Millis,
}

/// Which of one's highlights to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase", optional_fields)]
pub struct HighlightQuery {
    pub colour: Option<Colour>,
    /// Only those of articles from this source.
    pub source: Option<String>,
    /// Words to find in the quote, the note or the article's title.
    pub text: Option<String>,
    /// Only those of this article.
    pub article_id: Option<ArticleId>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct HighlightRow {
    highlight: HighlightId,
    article_id: ArticleId,
    title: String,
    source: String,
    author: String,
    url: Option<String>,
    colour: Colour,
    note: String,
    created_at: Millis,
    updated_at: Millis,
    #[sqlx(flatten)]
    pub(crate) passage: PassageRow,
}

impl HighlightRow {
    fn shown(self) -> Highlight {
        let passage = self.passage.on_current();
        self.shown_with(passage)
    }

    /// As it is with its passage placed as `passage` is.
    pub(crate) fn shown_with(self, passage: Passage) -> Highlight {
        Highlight {
            id: self.highlight,
            article_id: self.article_id,
            article_title: self.title,
            source: self.source,
            author: self.author,
            url: self.url,
            passage,
            colour: self.colour,
            note: self.note,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn select() -> String {
    format!(
        "SELECT h.id AS highlight, h.article_id, a.title, a.source, a.author, a.url, h.colour,
                h.note, h.created_at, h.updated_at, {COLUMNS}
         FROM highlights h
         JOIN passages p ON p.id = h.passage_id
         JOIN articles a ON a.id = h.article_id"
    )
}

fn checked_note(note: &str) -> Result<String> {
    let note = note.trim();
    if char_count(note) > MAX_NOTE_CHARS {
        return Err(Error::invalid(format!(
            "A note can be at most {MAX_NOTE_CHARS} characters."
        )));
    }
    if has_control_chars(note) {
        return Err(Error::invalid(
            "This note contains invisible control characters. Please remove them and try again.",
        ));
    }
    Ok(note.to_owned())
}

/// Keeps `passage` of `article_id` (on the version the person reads) as a
/// highlight of `owner`'s, in `colour`, with `note`.
pub async fn highlight(
    store: &Store,
    owner: &User,
    article_id: ArticleId,
    passage: &NewPassage,
    colour: Colour,
    note: &str,
) -> Result<Highlight> {
    let note = checked_note(note)?;
    let now = store.now();
    let id = HighlightId::new();
    let mut tx = store.write().await?;
    authorize(&mut tx, owner, Action::Highlight, Some(owner.id)).await?;
    let kept = scalar!(
        i64,
        fetch_one,
        &mut tx,
        "SELECT count(*) FROM highlights WHERE user_id = $1",
        owner.id
    )?;
    if kept >= MAX_HIGHLIGHTS {
        return Err(Error::invalid(format!(
            "You keep {kept} highlights, the most Parley keeps for one person. \
             Delete some you no longer need first."
        )));
    }
    let passage_id = stored::insert(&mut tx, article_id, passage, now).await?;
    exec!(
        &mut tx,
        "INSERT INTO highlights (id, user_id, article_id, passage_id, colour, note,
                                 created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        id,
        owner.id,
        article_id,
        passage_id,
        colour,
        &note,
        now
    )?;
    tx.commit().await?;
    one(store, owner, id).await
}

/// Changes the colour and note of one of `owner`'s highlights.
pub async fn edit_highlight(
    store: &Store,
    owner: &User,
    id: HighlightId,
    colour: Colour,
    note: &str,
) -> Result<Highlight> {
    let note = checked_note(note)?;
    let mut tx = store.write().await?;
    let found = owned(&mut tx, owner, id).await?;
    authorize(&mut tx, owner, Action::Highlight, Some(found)).await?;
    exec!(
        &mut tx,
        "UPDATE highlights SET colour = $1, note = $2, updated_at = $3 WHERE id = $4",
        colour,
        &note,
        store.now(),
        id
    )?;
    tx.commit().await?;
    one(store, owner, id).await
}

/// Deletes one of `owner`'s highlights, with its passage.
pub async fn delete_highlight(store: &Store, owner: &User, id: HighlightId) -> Result<()> {
    let mut tx = store.write().await?;
    let found = owned(&mut tx, owner, id).await?;
    authorize(&mut tx, owner, Action::Highlight, Some(found)).await?;
    exec!(
        &mut tx,
        "DELETE FROM passages WHERE id = (SELECT passage_id FROM highlights WHERE id = $1)",
        id
    )?;
    tx.commit().await?;
    Ok(())
}

/// The owner of highlight `id` if it is `owner`'s: another's is answered
/// exactly as one that does not exist.
async fn owned(
    tx: &mut crate::store::Write,
    owner: &User,
    id: HighlightId,
) -> Result<crate::ids::UserId> {
    scalar!(
        crate::ids::UserId,
        fetch_optional,
        tx,
        "SELECT user_id FROM highlights WHERE id = $1 AND user_id = $2",
        id,
        owner.id
    )?
    .ok_or_else(|| Error::not_found("That highlight is no longer there."))
}

async fn one(store: &Store, owner: &User, id: HighlightId) -> Result<Highlight> {
    let sql = format!("{} WHERE h.id = $1 AND h.user_id = $2", select());
    let mut read = store.read().await?;
    let row = rows!(HighlightRow, fetch_optional, &mut read, &sql, id, owner.id)?;
    read.finish().await?;
    row.map(HighlightRow::shown)
        .ok_or_else(|| Error::not_found("That highlight is no longer there."))
}

/// `owner`'s highlights of `article`, oldest first.
pub(crate) async fn rows_of_article(
    read: &mut crate::store::Read,
    owner: &User,
    article: ArticleId,
) -> Result<Vec<HighlightRow>> {
    let sql = format!(
        "{} WHERE h.user_id = $1 AND h.article_id = $2 ORDER BY h.created_at, h.id",
        select()
    );
    Ok(rows!(
        HighlightRow,
        fetch_all,
        read,
        &sql,
        owner.id,
        article
    )?)
}

/// `owner`'s highlights that `query` asks for, newest first.
pub async fn my_highlights(
    store: &Store,
    owner: &User,
    query: &HighlightQuery,
) -> Result<Vec<Highlight>> {
    let sql = format!(
        "{} WHERE h.user_id = $1
              AND ($2 IS NULL OR h.colour = $2)
              AND ($3 IS NULL OR a.source = $3)
              AND ($4 IS NULL OR h.article_id = $4)
         ORDER BY h.created_at DESC, h.id DESC",
        select()
    );
    let mut read = store.read().await?;
    let rows = rows!(
        HighlightRow,
        fetch_all,
        &mut read,
        &sql,
        owner.id,
        query.colour,
        query.source.as_deref(),
        query.article_id
    )?;
    read.finish().await?;
    let words: Vec<String> = query
        .text
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(fold)
        .collect();
    Ok(rows
        .into_iter()
        .map(HighlightRow::shown)
        .filter(|h| {
            words.is_empty() || {
                let haystack = fold(&format!(
                    "{} {} {}",
                    h.passage.quote, h.note, h.article_title
                ));
                words.iter().all(|w| haystack.contains(w.as_str()))
            }
        })
        .collect())
}

/// Text folded for finding words in it: case and accents ignored.
fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    caseless::default_case_fold_str(text)
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

/// `highlights` as Markdown: for each article, its title and link, then
/// each quote with its note under it.
pub fn markdown(highlights: &[Highlight]) -> String {
    let mut out = String::from("# Highlights\n");
    let mut article: Option<ArticleId> = None;
    for h in highlights {
        if article != Some(h.article_id) {
            article = Some(h.article_id);
            out.push_str(&format!("\n## {}\n\n", one_line_md(&h.article_title)));
            let by = [h.author.as_str(), h.source.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            if !by.is_empty() {
                out.push_str(&format!("{}\n", one_line_md(&by)));
            }
            if let Some(url) = &h.url {
                out.push_str(&format!("<{url}>\n"));
            }
            out.push('\n');
        }
        for line in h
            .passage
            .quote
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .lines()
        {
            out.push_str(&format!("> {line}\n"));
        }
        if !h.note.is_empty() {
            out.push('\n');
            out.push_str(&h.note);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn one_line_md(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `highlights` as CSV in the columns Readwise imports: Highlight, Title,
/// Author, URL, Note, Location, Date (UTC, `YYYY-MM-DD HH:MM:SS`).
pub fn readwise_csv(highlights: &[Highlight]) -> String {
    let mut out = String::from("Highlight,Title,Author,URL,Note,Location,Date\r\n");
    for h in highlights {
        let date = chrono::DateTime::from_timestamp_millis(h.created_at)
            .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let fields = [
            one_line_md(&h.passage.quote),
            h.article_title.clone(),
            h.author.clone(),
            h.url.clone().unwrap_or_default(),
            h.note.clone(),
            String::new(),
            date,
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV field, quoted with doubled quotes; a field a spreadsheet would
/// run as a formula starts with an apostrophe instead.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_every_field_and_defuses_formulas() {
        assert_eq!(csv_field("a \"b\", c"), "\"a \"\"b\"\", c\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
    }
}
