"""Seep: review, correct and learn oil-seep segmentations of SAR tiles."""

__version__ = "0.1.0"
