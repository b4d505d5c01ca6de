"""Helpers the HTML front ends share: form errors, bounded query integers, the poll's answer."""

from flask import Response, make_response, request

from . import services
from .models import MAX_KEY


def int_arg(name: str, *, minimum: int = 0, maximum: int = MAX_KEY) -> int | None:
    """Return the query value `name` as an integer in range, or None when absent or not one."""
    raw = request.args.get(name, "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def no_store(response: Response) -> Response:
    """Keep a response out of every cache: it shows live, and maybe private, data."""
    response.headers["Cache-Control"] = "no-store"
    return response


def unchanged(marker: int) -> Response | None:
    """Answer a poll 204 (htmx swaps nothing) when the marker has not moved since `since`."""
    if int_arg("since") == marker:
        return no_store(make_response("", 204))
    return None


def field_error(form, exc: services.ServiceError, default: str) -> None:
    """Put a service's error next to the form field it names, in the form's own words."""
    field = form._fields.get(exc.field or "") or form._fields[default]

    def label(attr: str) -> str:
        named = form._fields.get(attr)
        return named.label.text if named is not None else attr.replace("_", " ").capitalize()

    field.errors = [*field.errors, exc.render(label)]
