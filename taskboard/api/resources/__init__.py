"""The one description of each API resource: its fields, requests and query parameters.

Request parsing, the response objects, the import/export document and the OpenAPI
document are all built from these tables; enums come from the models and length limits
from the services, so nothing here is a second copy of a rule.
"""

from .catalog import (
    DEFINITION,
    DEFINITION_QUERY,
    TASK_LIST,
    TASK_LIST_QUERY,
    USEROD,
    USEROD_QUERY,
    category_name,
)
from .tasks import (
    TASK,
    TASK_CREATE,
    TASK_NOTE,
    TASK_NOTE_CREATE,
    TASK_NOTE_QUERY,
    TASK_NOTE_UPDATE,
    TASK_QUERY,
    TASK_UPDATE,
    TEXT,
)

RESOURCES = (TASK, TASK_LIST, TASK_NOTE, DEFINITION, USEROD)
# Every attribute a service may name in an error, in Open Dental's words.
LABELS: dict[str, str] = {"expected_versions": "If-Match"}
for _fields in (*RESOURCES, TASK_QUERY, TASK_LIST_QUERY, DEFINITION_QUERY, USEROD_QUERY):
    for _attr, _name in _fields.labels().items():
        LABELS.setdefault(_attr, _name)


def label(attr: str) -> str:
    """Return the Open Dental name of a field a service names by attribute."""
    return LABELS.get(attr, attr)


__all__ = [
    "DEFINITION",
    "DEFINITION_QUERY",
    "LABELS",
    "RESOURCES",
    "TASK",
    "TASK_CREATE",
    "TASK_LIST",
    "TASK_LIST_QUERY",
    "TASK_NOTE",
    "TASK_NOTE_CREATE",
    "TASK_NOTE_QUERY",
    "TASK_NOTE_UPDATE",
    "TASK_QUERY",
    "TASK_UPDATE",
    "TEXT",
    "USEROD",
    "USEROD_QUERY",
    "category_name",
    "label",
]
