"""The workspace: images, immutable label versions and review status in one folder."""

from seep.workspace.workspace import (
    REVIEWED,
    STATUS_LABELS,
    STATUSES,
    ImageFilter,
    ImageRecord,
    LabelVersion,
    Workspace,
    default_author,
    default_path,
)

__all__ = [
    "REVIEWED",
    "STATUS_LABELS",
    "STATUSES",
    "ImageFilter",
    "ImageRecord",
    "LabelVersion",
    "Workspace",
    "default_author",
    "default_path",
]
