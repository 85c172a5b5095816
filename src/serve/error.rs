//! Errors as the API answers them: a status (400 bad input, 413 too large,
//! 422 cannot render, 503 busy) and a JSON body with the message a person
//! reads, the field it belongs to and its class, as data.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::diag::ErrorClass;
use crate::error::Error;

/// One failed request.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong and what to do.
    pub message: String,
    /// The field at fault, if one is.
    pub field: Option<String>,
    /// The class of failure.
    pub class: ErrorClass,
    /// Seconds after which to try again (503).
    pub retry_after: Option<u32>,
}

/// The status a class of failure is answered with.
pub fn status_of(class: ErrorClass) -> StatusCode {
    StatusCode::from_u16(class.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl ApiError {
    pub(super) fn new(
        class: ErrorClass,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status: status_of(class),
            message: message.into(),
            field: field.map(str::to_string),
            class,
            retry_after: None,
        }
    }

    /// Bad input in `field`.
    pub fn bad(field: Option<&str>, message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorClass::BadInput, field, message)
    }

    /// `field` is over its limit of `limit` bytes.
    pub fn too_large(field: &str, limit: usize) -> ApiError {
        let message = format!(
            "{field} is larger than the limit of {}; send a smaller one",
            crate::error::megabytes(limit as u64)
        );
        let field = (field != "the request").then_some(field);
        ApiError::new(ErrorClass::TooLarge, field, message)
    }

    /// Busy: try again in `retry_after` seconds.
    pub fn busy(retry_after: u32) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: Some(retry_after),
            ..ApiError::new(
                ErrorClass::Internal,
                None,
                "every render slot is busy; try again in a moment",
            )
        }
    }

    /// A library error, with its class and field.
    pub fn from_error(e: &Error) -> ApiError {
        ApiError::new(e.class(), e.field(), e.to_string())
    }

    /// A multipart body that could not be read.
    pub fn multipart(e: axum::extract::multipart::MultipartError) -> ApiError {
        let status = e.status();
        let class = if status == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorClass::TooLarge
        } else {
            ErrorClass::BadInput
        };
        ApiError {
            status,
            ..ApiError::new(
                class,
                None,
                format!("the form could not be read: {}", e.body_text()),
            )
        }
    }
}

impl From<crate::api::FormError> for ApiError {
    fn from(e: crate::api::FormError) -> ApiError {
        ApiError::new(e.class, e.field.as_deref(), e.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {
            "message": self.message,
            "field": self.field,
            "class": self.class,
        }});
        let mut r = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}
