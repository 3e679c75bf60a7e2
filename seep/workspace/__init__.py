"""The workspace: images, immutable label versions and review status in one folder."""

from seep.workspace.filters import ImageFilter
from seep.workspace.records import REVIEWED, STATUS_LABELS, STATUSES, UNREVIEWED, ImageRecord, LabelVersion
from seep.workspace.workspace import Workspace, default_author, default_path

__all__ = [
    "REVIEWED",
    "UNREVIEWED",
    "STATUS_LABELS",
    "STATUSES",
    "ImageFilter",
    "ImageRecord",
    "LabelVersion",
    "Workspace",
    "default_author",
    "default_path",
]
