"""Helpers of the staff-page tests: CSRF tokens and signing in through the real form."""

import re

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login", **kwargs) -> str:
    """GET a page and return the CSRF token of its forms."""
    response = client.get(path, **kwargs)
    match = TOKEN.search(response.text)
    assert match, f"no csrf_token on {path} ({response.status_code})"
    return match.group(1)


def sign_in(client, user_name: str, password: str, next_: str | None = None, **kwargs):
    """POST the sign-in form with a fresh token; return the response."""
    data = {"csrf_token": csrf_token(client, **kwargs), "user_name": user_name}
    data["password"] = password
    if next_ is not None:
        data["next"] = next_
    return client.post("/login", data=data, **kwargs)
