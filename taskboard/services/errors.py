"""Exceptions that services raise, each carrying a message fit to show a user."""


class ServiceError(Exception):
    """A request that a business rule refuses; `field` names the offending field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(ServiceError):
    """The input breaks a rule (HTTP 400)."""


class NotFound(ServiceError):
    """The item, or an item a field refers to, does not exist (HTTP 404)."""


class PreconditionFailed(ServiceError):
    """The item changed since the client last read it (HTTP 412)."""


class Throttled(ServiceError):
    """Too many attempts; the client must wait (HTTP 429)."""
