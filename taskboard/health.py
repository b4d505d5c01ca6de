"""The health check that load balancers and monitors poll."""

from flask import Blueprint

from . import services
from .api.wire import json_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 while the database answers, 503 otherwise."""
    if services.database_ok():
        return json_response({"status": "ok"})
    return json_response({"status": "unavailable"}, 503)
