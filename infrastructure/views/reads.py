"""The read model on SQL view tables: one class made of the reads of each view."""

from __future__ import annotations

from infrastructure.views.read_board import BoardReads
from infrastructure.views.read_records import RecordReads
from infrastructure.views.read_timeline import TimelineReads


class SqlReadModel(BoardReads, RecordReads, TimelineReads):
    """Answers from the live view tables (or from fixed generations, for checks)."""
