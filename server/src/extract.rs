//! Reading requests: a JSON body or an id in the path that is malformed
//! becomes the same `{ kind, message }` answer as any other failure.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(rejected(&rejection)),
        }
    }
}

fn rejected(rejection: &JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::TooLarge;
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::Malformed("Send the request as JSON (Content-Type: application/json).".into())
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::Malformed("The request is not well-formed JSON.".into())
        }
        // Says which field is missing or of the wrong type, which helps
        // whoever writes a client and tells nothing about the server.
        other => ApiError::Malformed(other.body_text()),
    }
}
