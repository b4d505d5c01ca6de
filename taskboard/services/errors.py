"""Exceptions that services raise, each carrying a message fit to show a user.

A message names the fields it is about by their model attribute names, as numbered
placeholders: `Invalid("{0} requires {1}.", "key_num", "object_type")`. Each front end
renders it in its own words (`render(label)`): the API with Open Dental's field names, the
board with its form labels, the command line with its option names.
"""

from collections.abc import Callable


def _same(attr: str) -> str:
    return attr


class ServiceError(Exception):
    """A request that a business rule refuses; `field` is the attribute it is about."""

    def __init__(self, template: str, *fields: str) -> None:
        super().__init__(template)
        self.template = template
        self.fields = fields
        self.field = fields[0] if fields else None

    def render(self, label: Callable[[str], str] = _same) -> str:
        """Return the message with each field named by `label(attribute)`."""
        return self.template.format(*(label(attr) for attr in self.fields))

    @property
    def message(self) -> str:
        """The message with fields named by their attributes (for logs and tests)."""
        return self.render()

    def __str__(self) -> str:
        return self.message


class Invalid(ServiceError):
    """The input breaks a rule (HTTP 400)."""


class NotFound(ServiceError):
    """The item, or an item a field refers to, does not exist (HTTP 404)."""


class PreconditionFailed(ServiceError):
    """The item changed since the client last read it (HTTP 412)."""


class Throttled(ServiceError):
    """Too many attempts; the client must wait `retry_after` seconds (HTTP 429)."""

    def __init__(self, template: str, *fields: str, retry_after: int = 60) -> None:
        super().__init__(template, *fields)
        self.retry_after = retry_after


def not_found(item: str, *fields: str) -> NotFound:
    """Return the NotFound error of a missing item, e.g. "Task not found."."""
    return NotFound(not_found_message(item), *fields)


def not_found_message(item: str) -> str:
    """Return the one sentence that says an item does not exist."""
    return f"{item} not found."


def literal(text: object) -> str:
    """Return `text` safe to put into a message template (its braces are not placeholders)."""
    return str(text).replace("{", "{{").replace("}", "}}")
