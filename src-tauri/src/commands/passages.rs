//! Passages: where an article's discussion is, and one's own highlights.

use parley_core::ids::{ArticleId, HighlightId};
use parley_core::passages::{
    self, highlights, Colour, Highlight, HighlightQuery, Marks, NewPassage,
};
use parley_core::Error;
use serde::Deserialize;
use tauri::{AppHandle, Runtime, State};

use crate::{dialogs, AppState};

/// The marks of an article's discussion on a version of its text (the
/// current one when absent), with the reader's own highlights on it.
#[tauri::command]
pub async fn passage_marks(
    state: State<'_, AppState>,
    article_id: String,
    version: Option<i64>,
) -> Result<Marks, Error> {
    let id = ArticleId::parse(&article_id)?;
    if let Some(server) = state.server() {
        return server.marks(id, version).await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    passages::marks(&state.store, viewer.as_ref(), id, version).await
}

/// Keeps a passage as the signed-in person's highlight.
#[tauri::command]
pub async fn highlight(
    state: State<'_, AppState>,
    article_id: String,
    passage: NewPassage,
    colour: Colour,
    note: String,
) -> Result<Highlight, Error> {
    let id = ArticleId::parse(&article_id)?;
    if let Some(server) = state.server() {
        return server.highlight(id, &passage, colour, &note).await;
    }
    let owner = state.session.actor(&state.store).await?;
    highlights::highlight(&state.store, &owner, id, &passage, colour, &note).await
}

#[tauri::command]
pub async fn edit_highlight(
    state: State<'_, AppState>,
    highlight_id: String,
    colour: Colour,
    note: String,
) -> Result<Highlight, Error> {
    let id = HighlightId::parse(&highlight_id)?;
    if let Some(server) = state.server() {
        return server.edit_highlight(id, colour, &note).await;
    }
    let owner = state.session.actor(&state.store).await?;
    highlights::edit_highlight(&state.store, &owner, id, colour, &note).await
}

#[tauri::command]
pub async fn delete_highlight(
    state: State<'_, AppState>,
    highlight_id: String,
) -> Result<(), Error> {
    let id = HighlightId::parse(&highlight_id)?;
    if let Some(server) = state.server() {
        return server.delete_highlight(id).await;
    }
    let owner = state.session.actor(&state.store).await?;
    highlights::delete_highlight(&state.store, &owner, id).await
}

/// The signed-in person's highlights, newest first.
#[tauri::command]
pub async fn my_highlights(
    state: State<'_, AppState>,
    query: HighlightQuery,
) -> Result<Vec<Highlight>, Error> {
    if let Some(server) = state.server() {
        return server.my_highlights(&query).await;
    }
    let owner = state.session.actor(&state.store).await?;
    highlights::my_highlights(&state.store, &owner, &query).await
}

/// How highlights are saved to a file.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HighlightsFormat {
    Markdown,
    /// The columns Readwise imports.
    Csv,
}

/// Saves the highlights `query` lists where the person chooses. Returns
/// the file's name, or `None` when they chose nowhere.
#[tauri::command]
pub async fn export_highlights<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    query: HighlightQuery,
    format: HighlightsFormat,
) -> Result<Option<String>, Error> {
    let found = match state.server() {
        Some(server) => server.my_highlights(&query).await?,
        None => {
            let owner = state.session.actor(&state.store).await?;
            highlights::my_highlights(&state.store, &owner, &query).await?
        }
    };
    if found.is_empty() {
        return Err(Error::NotFound("There are no highlights to save.".into()));
    }
    let (contents, file_name, filter) = match format {
        HighlightsFormat::Markdown => (
            highlights::markdown(&found),
            "Parley highlights.md",
            ("Markdown", &["md"][..]),
        ),
        HighlightsFormat::Csv => (
            highlights::readwise_csv(&found),
            "Parley highlights.csv",
            ("CSV (Readwise)", &["csv"][..]),
        ),
    };
    let title = "Save your highlights";
    let Some(path) = dialogs::save_path(&app, title, file_name, filter).await else {
        return Ok(None);
    };
    dialogs::write(&path, contents).await?;
    Ok(dialogs::file_name(&path))
}
