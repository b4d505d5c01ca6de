"""Error responses: the API's JSON body under /api/v1, a short HTML page elsewhere."""

from flask import Flask, current_app, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from . import services, timeouts
from .api import PREFIX
from .api.resources import label
from .api.wire import WireError, error_response
from .extensions import db

UNAVAILABLE = "The database is not answering; try again in a moment."
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
        response = _respond(exc.render(label), status)
        if isinstance(exc, services.Throttled):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

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

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        if not timeouts.unavailable(exc):
            return unexpected_error(exc)
        # The driver's reason only: the statement's parameters may hold patients' names.
        reason = getattr(exc, "orig", None) or exc
        current_app.logger.warning(
            "Database unavailable on %s %s: %s: %s",
            request.method,
            request.path,
            type(reason).__name__,
            str(reason).strip().replace("\n", " "),
        )
        return database_unavailable()

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _respond("The server could not complete the request.", 500)


def database_unavailable():
    """Answer 503 with Retry-After, in the format of the part of the site that asked."""
    _end_failed_transaction()
    if request.path.startswith(PREFIX):
        response = error_response(UNAVAILABLE, 503)
    else:
        # The page must not reach for the database again: no signed-in user's details,
        # whose attributes the rollback expired.
        g.user = None
        kiosk = request.path.startswith("/kiosk/")
        template = "kiosk/unavailable.html" if kiosk else "unavailable.html"
        retry = request.method == "GET" and not request.headers.get("HX-Request")
        response = make_response(
            render_template(
                template, retry=retry, retry_after=timeouts.RETRY_AFTER_SECONDS, status=503
            ),
            503,
        )
    response.headers["Retry-After"] = str(timeouts.RETRY_AFTER_SECONDS)
    return response


def _end_failed_transaction() -> None:
    """Roll back what the request had begun, so its connection goes back clean (or is dropped)."""
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone; the pool discards it
        current_app.logger.warning("Rollback after a database fault failed", exc_info=True)


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
