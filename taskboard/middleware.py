"""WSGI middleware: request bodies sent without a length are read whole before the app runs.

A chunked body is read here, at most the body limit plus one byte, so that a malformed,
truncated or oversized one is refused (400 or 413) before any view or form parser sees
it, and the app always gets a body of known length. A refusal comes in the format of the
part of the site it was meant for: JSON under the API, a short text page elsewhere.
"""

import io
from collections.abc import Callable, Iterable
from typing import Any

import orjson

StartResponse = Callable[..., object]
App = Callable[[dict[str, Any], Any], Iterable[bytes]]


class ChunkedBodies:
    """Buffer bodies of unknown length, refusing bad or oversized ones cleanly."""

    def __init__(self, app: App, *, limit: int, api_prefix: str) -> None:
        self.app = app
        self.limit = limit
        self.api_prefix = api_prefix

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        # With Transfer-Encoding: chunked a Content-Length means nothing (RFC 9112 §6.3).
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.app(environ, start_response)
        try:
            body = environ["wsgi.input"].read(self.limit + 1)
        except (OSError, ValueError):  # a malformed or truncated chunk (gunicorn raises IOError)
            return self._refuse(environ, start_response, 400, "The request body is malformed.")
        if len(body) > self.limit:
            message = f"The request body must be at most {self.limit // 1024 // 1024} MiB."
            return self._refuse(environ, start_response, 413, message)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def _refuse(self, environ: dict, start_response, status: int, message: str):
        reason = {400: "BAD REQUEST", 413: "REQUEST ENTITY TOO LARGE"}[status]
        if environ.get("PATH_INFO", "").startswith(self.api_prefix):
            body, kind = orjson.dumps({"message": message}), "application/json"
        else:
            body, kind = message.encode(), "text/plain; charset=utf-8"
        start_response(
            f"{status} {reason}",
            [("Content-Type", kind), ("Content-Length", str(len(body))), ("Connection", "close")],
        )
        return [body]
