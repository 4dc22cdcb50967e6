"""Third-party warnings counted per document, not printed.

pdfminer, pdfplumber, fontTools and pypdfium2 log a warning for every odd object of a damaged
PDF ("Could not get FontBBox…", "Data-loss while decompressing corrupted data"): hundreds per
file, on stderr, from worker processes, burying the one line per file that matters. While a
document is processed, ``collect()`` gathers them (and Python ``warnings``) where the document is
read, in the worker itself, so the count and the messages travel back in the ``Outcome``.
``quiet_libraries()`` (the CLI's ingest runs in it) stops them reaching stderr on their own; the CLI then
prints a count per document and the messages only with ``--verbose`` or into ``--log FILE``.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

LIBRARIES = ("pdfminer", "pdfplumber", "fontTools", "pypdfium2", "PIL")
KEEP_MESSAGES = 1000  # per document; the count is always complete
MESSAGE_LIMIT = 1000  # characters of one message


@dataclass
class Collected:
    """The library messages of one document: all counted, the first ``KEEP_MESSAGES`` kept."""

    count: int = 0
    messages: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.count += 1
        if len(self.messages) < KEEP_MESSAGES:
            self.messages.append(text[:MESSAGE_LIMIT])


class _Handler(logging.Handler):
    def __init__(self, into: Collected) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a library's bad format string must not fail the document
            text = str(record.msg)
        self.into.add(f"{record.name}: {record.levelname.lower()}: {text}")


@contextmanager
def collect() -> Iterator[Collected]:
    """Gather the libraries' warnings (and Python ``warnings``) issued inside the block."""
    found = Collected()
    handler = _Handler(found)
    loggers = [logging.getLogger(name) for name in LIBRARIES]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield found
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    for w in caught:
        found.add(f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})")


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Keep the libraries' messages off stderr inside the block (``collect`` still sees them):
    they stop at their own logger, where a ``NullHandler`` stands in for Python's last-resort
    printer. Restored afterwards, so a program calling the CLI in-process keeps its logging."""
    loggers = [logging.getLogger(name) for name in LIBRARIES]
    saved = [logger.propagate for logger in loggers]
    stop = logging.NullHandler()
    for logger in loggers:
        logger.propagate = False
        logger.addHandler(stop)
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, saved):
            logger.propagate = propagate
            logger.removeHandler(stop)
