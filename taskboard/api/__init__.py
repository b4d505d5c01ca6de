"""The Open Dental-compatible JSON API at /api/v1."""

import re

from flask import Blueprint, g, request

from .. import services
from ..models import Permission
from .wire import error_response

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
_AUTHORIZATION = re.compile(r"ODFHIR ([^/\s]+)/([^/\s]+)")
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_PUBLIC_ENDPOINTS = {"api.openapi_document"}


@bp.before_request
def refuse_options():
    """Answer OPTIONS like any other unsupported method: 405 with the JSON error body."""
    if request.method == "OPTIONS":
        return error_response(f"The method OPTIONS is not allowed on {request.path}.", 405)
    return None


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


from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
