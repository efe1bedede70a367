use parley_core::articles::{self, Article, ArticleSummary};
use parley_core::ids::ArticleId;
use parley_core::Error;
use tauri::State;

use crate::AppState;

/// The library, with "new" counts for whoever is signed in.
#[tauri::command]
pub async fn list_articles(state: State<'_, AppState>) -> Result<Vec<ArticleSummary>, Error> {
    let viewer = state.session.viewer(&state.store).await?;
    articles::list_articles(&state.store, viewer.as_ref()).await
}

#[tauri::command]
pub async fn get_article(state: State<'_, AppState>, article_id: String) -> Result<Article, Error> {
    articles::article(&state.store, ArticleId::parse(&article_id)?).await
}
