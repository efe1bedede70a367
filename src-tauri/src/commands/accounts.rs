use parley_core::accounts::{self, NewAccount, User};
use parley_core::ids::{CommentId, MuteId, SessionId};
use parley_core::mutes::{self, MutedPerson};
use parley_core::session::stored::SessionInfo;
use parley_core::Error;
use tauri::State;

use crate::AppState;

/// Who is signed in, without counting as activity: the UI polls this to
/// notice a session that ended while the window sat idle.
#[tauri::command]
pub async fn current_user(state: State<'_, AppState>) -> Result<Option<User>, Error> {
    if let Some(server) = state.server() {
        return Ok(server.user());
    }
    state.session.current_user(&state.store).await
}

/// Counts as activity (the person is typing or clicking), keeping the
/// session from ending; returns who is still signed in.
#[tauri::command]
pub async fn keep_alive(state: State<'_, AppState>) -> Result<Option<User>, Error> {
    if let Some(server) = state.server() {
        return server.keep_alive().await;
    }
    state.session.viewer(&state.store).await
}

/// Makes an account and signs it in. On a server, `code` is its setup
/// code (for its first account) or an invite's code; the local library
/// needs none.
#[tauri::command]
pub async fn create_account(
    state: State<'_, AppState>,
    account: NewAccount,
    code: Option<String>,
) -> Result<User, Error> {
    if let Some(server) = state.server() {
        return server.join(account, code).await;
    }
    state.session.create_account(&state.store, account).await
}

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> Result<User, Error> {
    if let Some(server) = state.server() {
        return server.sign_in(&username, password).await;
    }
    state
        .session
        .sign_in(&state.store, &username, password)
        .await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.sign_out().await;
    }
    state.session.sign_out(&state.store).await?;
    Ok(())
}

#[tauri::command]
pub async fn set_display_name(
    state: State<'_, AppState>,
    display_name: String,
) -> Result<User, Error> {
    if let Some(server) = state.server() {
        return server.set_display_name(&display_name).await;
    }
    let user = state.session.actor(&state.store).await?;
    accounts::set_display_name(&state.store, &user, &display_name).await
}

/// Changes the signed-in person's password; their other sessions end.
#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    current: String,
    new_password: String,
) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.change_password(current, new_password).await;
    }
    state
        .session
        .change_password(&state.store, current, new_password)
        .await
}

/// Deletes the signed-in account and signs out.
#[tauri::command]
pub async fn delete_account(state: State<'_, AppState>, password: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.delete_account(password).await;
    }
    state.session.delete_account(&state.store, password).await
}

/// The signed-in person's sessions on the open server ("signed in on
/// this computer, and on 2 others"). The local library has one: this
/// window's, so the list is empty there.
#[tauri::command]
pub async fn my_sessions(state: State<'_, AppState>) -> Result<Vec<SessionInfo>, Error> {
    match state.server() {
        Some(server) => server.sessions().await,
        None => Ok(Vec::new()),
    }
}

/// Signs the person out everywhere but here; returns how many sessions ended.
#[tauri::command]
pub async fn end_other_sessions(state: State<'_, AppState>) -> Result<u64, Error> {
    match state.server() {
        Some(server) => server.end_other_sessions().await,
        None => Ok(0),
    }
}

#[tauri::command]
pub async fn end_session(state: State<'_, AppState>, session_id: String) -> Result<(), Error> {
    let id = SessionId::parse(&session_id)?;
    match state.server() {
        Some(server) => server.end_session(id).await,
        None => Err(Error::NotFound("You have no such session.".into())),
    }
}

/// Mutes or unmutes, for the signed-in person, whoever wrote this comment.
#[tauri::command]
pub async fn set_author_muted(
    state: State<'_, AppState>,
    comment_id: String,
    muted: bool,
) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server
            .set_author_muted(CommentId::parse(&comment_id)?, muted)
            .await;
    }
    let user = state.session.actor(&state.store).await?;
    let comment_id = CommentId::parse(&comment_id)?;
    mutes::set_muted_by_comment(&state.store, &user, comment_id, muted).await
}

#[tauri::command]
pub async fn muted_people(state: State<'_, AppState>) -> Result<Vec<MutedPerson>, Error> {
    if let Some(server) = state.server() {
        return server.muted_people().await;
    }
    let user = state.session.actor(&state.store).await?;
    mutes::muted_people(&state.store, &user).await
}

/// Undoes one of the signed-in person's mutes, by the id their list gave.
#[tauri::command]
pub async fn unmute(state: State<'_, AppState>, mute_id: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.unmute(MuteId::parse(&mute_id)?).await;
    }
    let user = state.session.actor(&state.store).await?;
    mutes::unmute(&state.store, &user, MuteId::parse(&mute_id)?).await
}
