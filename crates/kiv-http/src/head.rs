//! HEAD wherever GET works (RFC 9110 §9.3.2): the same status and headers as the GET would
//! have, without the body. The request is routed as the GET it stands for, so no operation needs
//! a HEAD handler of its own and none can forget one; the server leaves out the body of every
//! answer to a HEAD request while keeping its `Content-Length`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};

/// Marks a request that came as HEAD and is routed as GET.
#[derive(Debug, Clone, Copy)]
struct HeadRequest;

/// Routes a HEAD request as a GET (see the module's comment).
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.extensions_mut().insert(HeadRequest);
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// The method the client sent: HEAD for a request [`head_as_get`] routes as GET.
pub fn requested_method(req: &HttpRequest) -> Method {
    if req.extensions().get::<HeadRequest>().is_some() {
        Method::HEAD
    } else {
        req.method().clone()
    }
}
