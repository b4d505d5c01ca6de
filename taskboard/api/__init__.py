"""The Open Dental-compatible JSON API at /api/v1."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, g, request

from .. import services
from ..models import Permission
from .fields import Fields
from .wire import error_response

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
_AUTHORIZATION = re.compile(r"ODFHIR ([^/\s]+)/([^/\s]+)")
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Operation:
    """One route of the API as the OpenAPI document describes it."""

    method: str
    path: str  # OpenAPI form, e.g. "/tasks/{TaskNum}"
    operation_id: str
    summary: str
    tag: str
    returns: Fields | None = None  # the object of a 200/201 answer
    many: bool = False  # a paged list of `returns`
    query: Fields | None = None
    body: Fields | None = None
    not_found: tuple[str, ...] = ()  # items whose absence answers 404
    statuses: dict[str, str] = field(default_factory=dict)  # further answers it can give
    headers: tuple[str, ...] = ()  # response headers of a success: ETag, Location
    public: bool = False


OPERATIONS: list[Operation] = []
_PUBLIC_ENDPOINTS: set[str] = set()


def operation(method: str, path: str, operation_id: str, summary: str, tag: str, **details):
    """Register a view under `path` and record how the OpenAPI document describes it."""
    op = Operation(method, path, operation_id, summary, tag, **details)
    rule = re.sub(r"\{\w+\}", "<key>", path)

    def register(view: Callable) -> Callable:
        OPERATIONS.append(op)
        bp.add_url_rule(rule, view.__name__, view, methods=[method])
        if op.public:
            _PUBLIC_ENDPOINTS.add(f"{bp.name}.{view.__name__}")
        return view

    return register


@bp.before_request
def refuse_options():
    """Answer OPTIONS like any other unsupported method: 405 with the JSON error body."""
    if request.method == "OPTIONS":
        return error_response(f"The method OPTIONS is not allowed on {request.path}.", 405)
    return None


@bp.before_request
def authenticate():
    """Require an enabled ODFHIR key pair within its rate limit; a read key may only GET."""
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
    g.api_key = api_key
    permission = api_key.permission
    # Counted in its own transaction, before the request's own work (Throttled: 429).
    services.count_api_request(
        api_key_num=api_key.api_key_num, limit=services.key_rate_limit(api_key)
    )
    if request.method in _WRITE_METHODS and permission != Permission.write:
        return error_response("This API key does not have write permission.", 401)
    return None


from . import routes, routes_catalog, routes_history  # noqa: E402,F401  (routes attach themselves to bp)
