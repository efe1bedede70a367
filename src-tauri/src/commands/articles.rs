use parley_core::articles::Article;
use parley_core::ids::ArticleId;
use parley_core::library::listing;
use parley_core::Error;
use tauri::State;

use crate::AppState;

/// One article, for reading (an earlier version of it when `version` says
/// so); a signed-in reader's library marks it read.
#[tauri::command]
pub async fn get_article(
    state: State<'_, AppState>,
    article_id: String,
    version: Option<i64>,
) -> Result<Article, Error> {
    let id = ArticleId::parse(&article_id)?;
    if let Some(server) = state.server() {
        return server.article(id, version).await;
    }
    let viewer = state.session.viewer(&state.store).await?;
    listing::open_article(&state.store, viewer.as_ref(), id, version).await
}
