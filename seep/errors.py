"""Errors a user can cause. Each message names the bad value and says what to do.

The CLI prints them as one line and exits 1; the app shows them with st.error.
Anything that is not a SeepError is a bug and surfaces with its traceback.
"""


class SeepError(Exception):
    """Base of every error caused by input, state or environment, not by a bug."""


class BadInputError(SeepError):
    """A file or array that cannot be used as it is (format, shape, values)."""


class TooLargeError(BadInputError):
    """A raster over the size Seep reads whole: an import refuses it, a prediction reads it by windows."""


class ConflictError(SeepError):
    """A save based on a label version that is no longer the newest one."""

    def __init__(self, message: str, *, current_version: int | None):
        super().__init__(message)
        self.current_version = current_version


class NotFoundError(SeepError):
    """An image, version, model or job id that the workspace does not hold."""


class WorkspaceError(SeepError):
    """The workspace folder cannot be read or written (permissions, disk full)."""


class Cancelled(SeepError):
    """A long operation stopped on the user's request; it says what it kept."""


class PermissionDenied(SeepError):
    """The signed-in account's role may not do this (checked on the server, whatever the page showed)."""


class SignInError(SeepError):
    """A sign-in refused: never says whether the name or the password was wrong."""


def first_line(e: Exception) -> str:
    """An exception's message, its first line only (GDAL's run to several), or its type's name."""
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0]
