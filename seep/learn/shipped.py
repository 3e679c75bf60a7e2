"""The model shipped in models/, used wherever a workspace has no model of its own."""

from pathlib import Path

SHIPPED_MODEL = Path(__file__).resolve().parents[2] / "models" / "seep-unet-cgg.pt"
