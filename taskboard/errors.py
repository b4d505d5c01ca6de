"""Error responses: the API's JSON body under /api/v1, a short HTML page elsewhere."""

from flask import Flask, current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from . import services
from .api import PREFIX
from .api.resources import label
from .api.wire import WireError, error_response

SERVICE_STATUS = {
    services.Invalid: 400,
    services.NotFound: 404,
    services.PreconditionFailed: 412,
    services.Throttled: 429,
}


def register_error_handlers(app: Flask) -> None:
    """Answer every error in the format of the part of the site that raised it."""

    @app.errorhandler(WireError)
    def wire_error(exc: WireError):
        return _respond(exc.message, exc.status)

    @app.errorhandler(services.ServiceError)
    def service_error(exc: services.ServiceError):
        # Only the API lets a service's refusal reach this far; pages catch their own.
        status = next(code for cls, code in SERVICE_STATUS.items() if isinstance(exc, cls))
        return _respond(exc.render(label), status)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _respond(
            "The form has expired or did not come from this site; reload the page and try again.",
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response = _respond(_http_message(exc), exc.code or 500)
        allow = exc.get_response().headers.get("Allow")
        if allow:  # a 405 names the methods that are allowed
            response.headers["Allow"] = allow
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _respond("The server could not complete the request.", 500)


def _respond(message: str, status: int):
    if request.path.startswith(PREFIX):
        return error_response(message, status)
    # A wall display has no session: its error page must not start one (no CSRF token).
    template = "kiosk/error.html" if request.path.startswith("/kiosk/") else "error.html"
    return make_response(render_template(template, message=message, status=status), status)


def _http_message(exc: HTTPException) -> str:
    if isinstance(exc, RequestEntityTooLarge):
        return "The request body must be at most 1 MiB."
    if exc.code == 404:
        return f"No resource at {request.path}."
    if exc.code == 403:
        return exc.description or "You may not open this page."
    if exc.code == 405:
        return f"The method {request.method} is not allowed on {request.path}."
    return f"{exc.name}."
