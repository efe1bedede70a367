//! The sample library a new installation starts with. The articles were
//! written for Parley; each file is a few `key: value` header lines, a blank
//! line, then the body as plain paragraphs.

use crate::clock::Millis;
use crate::ids::ArticleId;
use crate::store::{exec, scalar, Store, Write};
use crate::text::escape;
use crate::{Error, Result};

/// An article about to be added to the library. The body is plain text:
/// paragraphs separated by blank lines.
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub title: String,
    pub source: String,
    pub author: String,
    pub url: Option<String>,
    pub published_at: Millis,
    pub summary: String,
    pub body_text: String,
    pub tags: Vec<String>,
}

/// Fills an empty library with Parley's sample articles, so a first start
/// has something to read. Does nothing if any article exists. Returns how
/// many were added.
pub async fn add_samples_if_empty(store: &Store) -> Result<usize> {
    let mut tx = store.write().await?;
    let existing = scalar!(i64, fetch_one, &mut tx, "SELECT count(*) FROM articles")?;
    if existing > 0 {
        return Ok(0);
    }
    let samples = library()?;
    let now = store.now();
    for article in &samples {
        insert_article(&mut tx, article, now).await?;
    }
    tx.commit().await?;
    Ok(samples.len())
}

async fn insert_article(tx: &mut Write, new: &NewArticle, now: Millis) -> Result<ArticleId> {
    let id = ArticleId::new();
    let body_html = paragraphs_to_html(&new.body_text);
    exec!(
        tx,
        "INSERT INTO articles (id, title, source, author, url, published_at, summary, body_html,
                               body_text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        &new.title,
        &new.source,
        &new.author,
        &new.url,
        new.published_at,
        &new.summary,
        &body_html,
        crate::search::article_text(&body_html),
        now
    )?;
    for tag in &new.tags {
        exec!(
            tx,
            "INSERT INTO article_tags (article_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            id,
            tag
        )?;
    }
    Ok(id)
}

/// Plain text with blank-line-separated paragraphs, as `<p>` elements with
/// every character that means something in HTML escaped.
fn paragraphs_to_html(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n");
    normalized
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(&p)))
        .collect::<Vec<_>>()
        .join("\n")
}

const FILES: [(&str, &str); 6] = [
    ("01-night-buses", include_str!("samples/01-night-buses.txt")),
    (
        "02-octopus-sleep",
        include_str!("samples/02-octopus-sleep.txt"),
    ),
    ("03-repair-cafe", include_str!("samples/03-repair-cafe.txt")),
    ("04-heat-pumps", include_str!("samples/04-heat-pumps.txt")),
    (
        "05-chess-league",
        include_str!("samples/05-chess-league.txt"),
    ),
    (
        "06-bread-archive",
        include_str!("samples/06-bread-archive.txt"),
    ),
];

/// Every sample article, parsed.
pub(crate) fn library() -> Result<Vec<NewArticle>> {
    FILES
        .iter()
        .map(|(name, text)| {
            parse(text).map_err(|why| Error::Internal(format!("sample article {name}: {why}")))
        })
        .collect()
}

fn parse(text: &str) -> Result<NewArticle, String> {
    let text = text.replace("\r\n", "\n");
    let (header, body) = text
        .split_once("\n\n")
        .ok_or("no blank line after the header")?;
    let field = |key: &str| -> Result<String, String> {
        header
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("missing `{key}`"))
    };
    Ok(NewArticle {
        title: field("title")?,
        source: field("source")?,
        author: field("author")?,
        url: None,
        published_at: parse_date(&field("published")?)?,
        summary: field("summary")?,
        body_text: body.trim().to_owned(),
        tags: field("tags")?
            .split(',')
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
    })
}

/// `YYYY-MM-DD` as 08:00 UTC that day, in milliseconds since the epoch.
fn parse_date(date: &str) -> Result<Millis, String> {
    let bad = || format!("`{date}` is not a YYYY-MM-DD date");
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>());
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    const DAY_MS: i64 = 86_400_000;
    Ok(days_from_civil(y, m, d) * DAY_MS + 8 * 3_600_000)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (the well-known
/// era-based algorithm: shift the year to start in March so the leap day is
/// last, then count whole 400-year eras).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (m + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_parses_with_a_body_and_tags() {
        // allow-unwrap: inside #[cfg(test)]; a panic here is a failed test
        let library = library().unwrap();
        assert!(library.len() >= 5);
        for article in &library {
            assert!(
                article.body_text.split("\n\n").count() >= 3,
                "{}",
                article.title
            );
            assert!(!article.tags.is_empty(), "{}", article.title);
        }
    }

    #[test]
    fn paragraphs_become_escaped_html() {
        let html =
            paragraphs_to_html("One <b>bold</b>\nline.\n\n\n  Two & \"three\"  \r\n\r\nFour");
        assert_eq!(
            html,
            "<p>One &lt;b&gt;bold&lt;/b&gt; line.</p>\n<p>Two &amp; &quot;three&quot;</p>\n<p>Four</p>"
        );
    }

    #[test]
    fn dates_are_counted_from_the_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 11, 27), 20_784);
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("yesterday").is_err());
    }
}
