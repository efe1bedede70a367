use parley_core::accounts::{NewAccount, User};
use parley_core::Error;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn current_user(state: State<'_, AppState>) -> Result<Option<User>, Error> {
    state.session.current_user(&state.store).await
}

#[tauri::command]
pub async fn create_account(
    state: State<'_, AppState>,
    account: NewAccount,
) -> Result<User, Error> {
    state.session.create_account(&state.store, account).await
}

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> Result<User, Error> {
    state
        .session
        .sign_in(&state.store, &username, password)
        .await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), Error> {
    state.session.sign_out();
    Ok(())
}
