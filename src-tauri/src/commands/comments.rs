use parley_core::comments::{self, Thread};
use parley_core::ids::{ArticleId, CommentId};
use parley_core::Error;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn load_thread(state: State<'_, AppState>, article_id: String) -> Result<Thread, Error> {
    comments::thread(&state.store, ArticleId::parse(&article_id)?).await
}

/// Posts as whoever is signed in, and returns the discussion as it now is.
#[tauri::command]
pub async fn post_comment(
    state: State<'_, AppState>,
    article_id: String,
    parent_id: Option<String>,
    body: String,
) -> Result<Thread, Error> {
    let author = state.session.actor(&state.store).await?;
    let article_id = ArticleId::parse(&article_id)?;
    let parent_id = parent_id.as_deref().map(CommentId::parse).transpose()?;
    comments::post(&state.store, &author, article_id, parent_id, &body).await?;
    comments::thread(&state.store, article_id).await
}
