"""The errors users read: each names what is wrong in their words (CONVENTIONS: small named exceptions)."""
from __future__ import annotations


class ParseError(ValueError):
    """A cell value that cannot be read; `expected` is a short phrase of what would be accepted."""

    def __init__(self, expected: str, message: str | None = None):
        super().__init__(message or f"expected {expected}")
        self.expected = expected


class FileError(ValueError):
    """A file that cannot be read at all; the text names the file and says why."""

    def __init__(self, file_name: str, reason: str):
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.reason = reason
