"""The change marker, read: pages poll it to learn cheaply whether anything changed.

It is bumped in the transaction of every task, list and note write (see database.py), so
a page that polls it can never miss a change, whichever worker or host made it.
"""

from sqlalchemy import select

from ..database import MARKER_ID
from ..extensions import db
from ..models import ChangeMarker


def current_marker() -> int:
    """Return the change marker's version: one indexed read."""
    return (
        db.session.scalar(select(ChangeMarker.version).where(ChangeMarker.marker_id == MARKER_ID))
        or 0
    )
