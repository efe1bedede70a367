use parley_core::admin::{self, AccountSummary, AppSettings};
use parley_core::ids::InviteId;
use parley_core::library::limits::{self, LibraryLimits};
use parley_core::membership::{InviteInfo, NewInvite, SignUp};
use parley_core::Error;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountSummary>, Error> {
    if let Some(server) = state.server() {
        return server.list_accounts().await;
    }
    let actor = state.session.actor(&state.store).await?;
    admin::list_accounts(&state.store, &actor).await
}

#[tauri::command]
pub async fn promote_account(state: State<'_, AppState>, username: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.change_account(&username, "promote").await;
    }
    let actor = state.session.actor(&state.store).await?;
    admin::promote(&state.store, &actor, &username).await
}

#[tauri::command]
pub async fn demote_account(state: State<'_, AppState>, username: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.change_account(&username, "demote").await;
    }
    let actor = state.session.actor(&state.store).await?;
    admin::demote(&state.store, &actor, &username).await
}

#[tauri::command]
pub async fn disable_account(state: State<'_, AppState>, username: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.change_account(&username, "disable").await;
    }
    let actor = state.session.actor(&state.store).await?;
    admin::disable(&state.store, &actor, &username).await
}

#[tauri::command]
pub async fn enable_account(state: State<'_, AppState>, username: String) -> Result<(), Error> {
    if let Some(server) = state.server() {
        return server.change_account(&username, "enable").await;
    }
    let actor = state.session.actor(&state.store).await?;
    admin::enable(&state.store, &actor, &username).await
}

#[tauri::command]
pub async fn app_settings(state: State<'_, AppState>) -> Result<AppSettings, Error> {
    state.local_only("The idle time-out")?;
    admin::app_settings(&state.store).await
}

/// What the library keeps (articles and images per source, images in all).
#[tauri::command]
pub async fn library_limits(state: State<'_, AppState>) -> Result<LibraryLimits, Error> {
    state.local_only("The library's limits")?;
    limits::limits(&state.store).await
}

#[tauri::command]
pub async fn set_library_limits(
    state: State<'_, AppState>,
    limits: LibraryLimits,
) -> Result<LibraryLimits, Error> {
    state.local_only("The library's limits")?;
    let actor = state.session.actor(&state.store).await?;
    limits::set_limits(&state.store, &actor, limits).await
}

#[tauri::command]
pub async fn set_idle_timeout(
    state: State<'_, AppState>,
    minutes: u32,
) -> Result<AppSettings, Error> {
    state.local_only("The idle time-out")?;
    let actor = state.session.actor(&state.store).await?;
    admin::set_idle_timeout(&state.store, &actor, minutes).await
}

/// Invites, and how people join, belong to a server: on this computer,
/// whoever sits at it can make an account.
fn on_a_server(state: &AppState) -> Result<std::sync::Arc<crate::remote::Server>, Error> {
    state.server().ok_or_else(|| {
        Error::Invalid(
            "Invites are for a Parley server: on this computer, anyone at it can create an \
             account."
                .into(),
        )
    })
}

#[tauri::command]
pub async fn list_invites(state: State<'_, AppState>) -> Result<Vec<InviteInfo>, Error> {
    on_a_server(&state)?.invites().await
}

/// Makes an invite good for one person for `days` days; its code is shown
/// once.
#[tauri::command]
pub async fn create_invite(state: State<'_, AppState>, days: u32) -> Result<NewInvite, Error> {
    on_a_server(&state)?.create_invite(days).await
}

#[tauri::command]
pub async fn withdraw_invite(state: State<'_, AppState>, invite_id: String) -> Result<(), Error> {
    let id = InviteId::parse(&invite_id)?;
    on_a_server(&state)?.withdraw_invite(id).await
}

#[tauri::command]
pub async fn sign_up_setting(state: State<'_, AppState>) -> Result<SignUp, Error> {
    on_a_server(&state)?.sign_up().await
}

#[tauri::command]
pub async fn set_sign_up(state: State<'_, AppState>, sign_up: SignUp) -> Result<(), Error> {
    on_a_server(&state)?.set_sign_up(sign_up).await
}
