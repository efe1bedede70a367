//! The `parley-image:` scheme: images stored with articles, served from
//! the database, so the page never asks a remote server for one. The page
//! asks for `parley-image://localhost/<image id>`; while a server is
//! open, this backend fetches the image from it.

use parley_core::ids::ImageId;
use parley_core::library::images;
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::AppState;

/// The scheme's name, as the sanitizer writes it into articles.
pub const SCHEME: &str = parley_core::library::sanitize::IMAGE_SCHEME;

/// Answers one request for an image, off the main thread.
pub fn serve<R: Runtime>(
    context: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = context.app_handle().clone();
    let id = request.uri().path().trim_start_matches('/').to_owned();
    tauri::async_runtime::spawn(async move {
        let found = match (ImageId::parse(&id), app.try_state::<AppState>()) {
            // Connected: the server's image, fetched by this backend.
            (Ok(id), Some(state)) => match state.server() {
                Some(server) => server
                    .image(id)
                    .await
                    .ok()
                    .flatten()
                    .map(|(kind, bytes)| (kind.to_owned(), bytes)),
                None => images::stored(&state.store, id).await.ok().flatten(),
            },
            _ => None,
        };
        let response = match found {
            Some((content_type, bytes)) => Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, content_type)
                // Stored images never change: the page may keep them.
                .header(
                    header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                )
                .header("X-Content-Type-Options", "nosniff")
                .body(bytes),
            None => Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body(Vec::new()),
        };
        match response {
            Ok(response) => responder.respond(response),
            Err(e) => log::warn!("could not answer an image request: {e}"),
        }
    });
}
