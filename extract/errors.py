"""Errors the project raises on purpose.

``InputError`` means the *document* is bad (corrupt, encrypted, empty, image-only, unknown
type): the pipeline records it against that file and the batch goes on. Anything else is a
bug and is allowed to surface.
"""

from __future__ import annotations


class InputError(Exception):
    """A document that cannot be read, with the file and the reason in one message."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreLockedError(Exception):
    """Another process is writing to the store."""


def missing_dependency(module: str, install: str) -> ImportError:
    """An ImportError that says how to install what is missing."""
    return ImportError(f"{module} is required for this feature: install it with `{install}`")
