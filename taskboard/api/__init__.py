"""The Open Dental-compatible JSON API at /api/v1."""

import re

from flask import Blueprint, Flask, current_app, g, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import services
from ..models import Permission
from .wire import WireError, error_response

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
_AUTHORIZATION = re.compile(r"ODFHIR ([^/\s]+)/([^/\s]+)")
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_PUBLIC_ENDPOINTS = {"api.openapi_document"}


@bp.before_request
def authenticate():
    """Require an enabled ODFHIR key pair; a read key may only GET."""
    if request.endpoint in _PUBLIC_ENDPOINTS:
        return None
    match = _AUTHORIZATION.fullmatch(request.headers.get("Authorization", ""))
    if match is None:
        return error_response(
            "The Authorization header must be ODFHIR {DeveloperKey}/{CustomerKey}.", 401
        )
    api_key = services.authenticate_api_key(developer_key=match[1], customer_key=match[2])
    if api_key is None:
        return error_response("The API key pair is unknown or disabled.", 401)
    if request.method in _WRITE_METHODS and api_key.permission != Permission.write:
        return error_response("This API key does not have write permission.", 401)
    g.api_key = api_key
    return None


def register_error_handlers(app: Flask) -> None:
    """Answer every error under /api/v1 with the JSON error body, never HTML."""

    @app.errorhandler(WireError)
    def wire_error(exc: WireError):
        return error_response(exc.message, exc.status)

    @app.errorhandler(services.ServiceError)
    def service_error(exc: services.ServiceError):
        return error_response(exc.message, _SERVICE_STATUS[type(exc)])

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if not request.path.startswith(PREFIX):
            return exc
        return error_response(_http_message(exc), exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if not request.path.startswith(PREFIX):
            return "Internal Server Error", 500
        return error_response("The server could not complete the request.", 500)


_SERVICE_STATUS = {
    services.Invalid: 400,
    services.NotFound: 404,
    services.PreconditionFailed: 412,
}


def _http_message(exc: HTTPException) -> str:
    if isinstance(exc, RequestEntityTooLarge):
        return "The request body must be at most 1 MiB."
    if exc.code == 404:
        return f"No resource at {request.path}."
    if exc.code == 405:
        return f"The method {request.method} is not allowed on {request.path}."
    return f"{exc.name}."


from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
