"""RADARSAT products as they are delivered, each one scene: RADARSAT-2's (MDA: a folder named for
the product holding product.xml, where the image lies and when it was acquired, which GDAL's RS2
driver reads, beside one GeoTIFF per polarisation, imagery_HH.tif, imagery_HV.tif, ..., and the
calibration tables), and the RADARSAT Constellation Mission's (below)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from seep.data.polarisation import the_one
from seep.errors import BadInputError, first_line


def rs2_product(path: Path) -> Path | None:
    """The folder of a RADARSAT-2 product given whole (the folder or its product.xml), as MDA
    delivers it: product.xml beside imagery_HH.tif (and _HV, _VV, _VH) and the calibration
    tables; None for anything else. Known as GDAL's RS2 driver knows it, by its header."""
    root = path if path.is_dir() else path.parent if path.name.lower() == "product.xml" else None
    xml = root / "product.xml" if root is not None else None
    if xml is None or not xml.is_file():
        return None
    with open(xml, "rb") as f:
        return root if rs2_header(f.read(2048)) else None


def rs2_header(head: bytes) -> bool:
    return b"/rs2" in head and b"<product" in head


def rs2_imagery(root: Path) -> list[Path]:
    """The image files a RADARSAT-2 product's product.xml names, or BadInputError saying why
    they cannot be had."""
    with open(root / "product.xml", "rb") as f:
        return [root / n for n in rs2_names(f, root)]


def rs2_names(xml, root) -> list[str]:
    """The names of the image files beside it that a product.xml (a file object) names: its
    fullResolutionImageData."""
    import xml.etree.ElementTree as ET

    try:
        tree = ET.parse(xml)
    except (ET.ParseError, OSError) as e:
        raise BadInputError(f"{root}/product.xml cannot be read ({first_line(e)}): copy the product again") from None
    names = [(e.text or "").strip() for e in tree.iter() if e.tag.rsplit("}", 1)[-1] == "fullResolutionImageData"]
    if not names or any(Path(n).name != n or n in ("", ".", "..") for n in names):  # a name is a file beside it
        raise BadInputError(f"{root} is a RADARSAT-2 product whose product.xml names no image file beside it")
    return names


def rs2_measurement(path: Path) -> tuple[Path, str]:
    """A RADARSAT-2 product's co-polarised image file (VV, else HH) and the note saying which was
    taken and what was left out; BadInputError where there is no one such file, or it is missing."""
    root = rs2_product(path)
    files = rs2_imagery(root)
    names = [f.name for f in files]
    refusal = (
        f"{root} is a RADARSAT-2 product with no one VV or HH image file (it holds {', '.join(names)}): import one of them itself"
    )
    taken, note = the_one(names, "file", root.name, refusal)
    if not files[taken].is_file():
        raise BadInputError(f"{root} is a RADARSAT-2 product without {names[taken]}, which its product.xml names: copy it whole")
    return files[taken], note


def rs2_product_of(path: Path) -> Path | None:
    """The RADARSAT-2 product an image file given by itself belongs to (one its product.xml names),
    or None: placed and named as the product is."""
    root = rs2_product(path.parent) if path.is_file() else None
    if root is None:
        return None
    try:
        return root if path.name in {f.name for f in rs2_imagery(root)} else None
    except BadInputError:
        return None


# RADARSAT Constellation Mission (RCM) products, as the CSA delivers them: a folder named for the
# product holding manifest.safe, metadata/product.xml (schema rcmGsProductSchema: where the image
# lies as a grid of tie points, when it was acquired, which file holds which polarisation) and
# imagery/ of one GeoTIFF per polarisation. GDAL's RCM driver is not in the GDAL rasterio ships,
# so product.xml is read here; its tie points place the image as GDAL's RS2 driver places a
# RADARSAT-2 image by the same grid: at pixel centres (0 to width - 1), moved half a pixel to
# GDAL's corners (GDAL's RCM driver does not move them: half a pixel off), on WGS 84.
RCM_SCHEMA = b"rcmGsProductSchema"
TIE_POINTS_KEPT = 400  # of a grid of ~2,000: GDAL fits its warp to them, and more only slow it


@dataclass(frozen=True)
class RcmProduct:
    images: tuple[str, ...]  # the GeoTIFFs product.xml names, one per polarisation, in the product (imagery/X.tif)
    size: tuple[int, int]  # (width, height) of each
    points: tuple[tuple[float, float, float, float, float], ...]  # (col, row, lon, lat, height)
    started: str | None  # rawDataStartTime: when the radar began the pass


def rcm_product(path: Path) -> Path | None:
    """The folder of an RCM product given whole (the folder, its manifest.safe or its
    metadata/product.xml); None for anything else, a Sentinel-1 .SAFE folder among them."""
    name = path.name.lower()
    root = (
        path
        if path.is_dir()
        else path.parent
        if name == "manifest.safe"
        else path.parent.parent
        if name == "product.xml" and path.parent.name == "metadata"
        else None
    )
    xml = root / "metadata" / "product.xml" if root is not None else None
    if xml is None or not xml.is_file():
        return None
    with open(xml, "rb") as f:
        return root if RCM_SCHEMA in f.read(2048) else None


def rcm_described(root: Path) -> RcmProduct:
    """What an RCM product's product.xml says of its images, or BadInputError saying why it cannot be read."""
    with open(root / "metadata" / "product.xml", "rb") as f:
        return rcm_read(f, root / "metadata" / "product.xml")


def rcm_read(xml, where) -> RcmProduct:
    """What an RCM product.xml (a file object; `where` names it in errors) says of its images."""
    import xml.etree.ElementTree as ET

    try:
        tree = ET.parse(xml)
    except (ET.ParseError, OSError) as e:
        raise BadInputError(f"{where} cannot be read ({first_line(e)}): copy the product again") from None
    found = {}
    for e in tree.iter():
        found.setdefault(e.tag.rsplit("}", 1)[-1], []).append(e)
    images = tuple(_in_product(where, (e.text or "").strip()) for e in found.get("ipdf", []))
    try:
        size = (int(found["samplesPerLine"][0].text), int(found["numLines"][0].text))
        points = tuple(_tie_point(e) for e in found.get("imageTiePoint", []))
    except (KeyError, TypeError, ValueError):
        raise BadInputError(f"{where} does not give its image's size and tie points: copy the product again") from None
    if not images or len(points) < 3:
        raise BadInputError(f"{where} names no image file, or places it by fewer than 3 tie points: copy the product again")
    step = -(-len(points) // TIE_POINTS_KEPT)
    kept = points[::step] + ((points[-1],) if (len(points) - 1) % step else ())  # the far corner too
    started = (found["rawDataStartTime"][0].text or "").strip() if "rawDataStartTime" in found else None
    return RcmProduct(images, size, kept, started or None)


def _in_product(where, name: str) -> str:
    """An image file product.xml names (relative to metadata/: ../imagery/X.tif) as a path in the
    product (imagery/X.tif), or BadInputError for one outside it."""
    inside = posixpath.normpath(posixpath.join("metadata", name.replace("\\", "/")))
    if not name or inside.startswith(("../", "/")) or inside in ("..", "."):
        raise BadInputError(f"{where} names an image file outside its product: {name!r}")
    return inside


def _tie_point(e) -> tuple[float, float, float, float, float]:
    """(col, row, lon, lat, height) of an imageTiePoint, its pixel centre moved to GDAL's pixel corner."""
    value = {c.tag.rsplit("}", 1)[-1]: float(c.text) for c in e.iter() if c.text and c.text.strip() and len(c) == 0}
    return value["pixel"] + 0.5, value["line"] + 0.5, value["longitude"], value["latitude"], value.get("height", 0.0)


def rcm_measurement(path: Path) -> tuple[Path, str]:
    """An RCM product's co-polarised image file (VV, else HH; a compact-polarisation product's
    CV, else CH) and the note on what was left out; BadInputError where it has no one such
    file, or the file is missing."""
    root = rcm_product(path)
    inside, note = rcm_taken(rcm_described(root), root)
    if not (root / inside).is_file():
        raise BadInputError(f"{root} is an RCM product without {inside}, which its product.xml names: copy it whole")
    return root / inside, note


def rcm_taken(product: RcmProduct, where) -> tuple[str, str]:
    """Which image of an RCM product is the scene (its path in the product) and the note on
    what was left out, or BadInputError where it has no one VV or HH image (nor, compact
    polarisation, CV or CH)."""
    names = [posixpath.basename(i) for i in product.images]
    taken, note = the_one(
        names,
        "file",
        Path(str(where)).name,
        f"{where} is an RCM product with no one VV, HH, CV or CH image file (it holds {', '.join(names)}): "
        "import one of them itself (in imagery/)",
    )
    return product.images[taken], note


def rcm_product_of(path: Path) -> Path | None:
    """The RCM product an image file given by itself belongs to (one its product.xml names), or None."""
    root = rcm_product(path.parent.parent) if path.is_file() and path.parent.name == "imagery" else None
    if root is None:
        return None
    try:
        return root if f"imagery/{path.name}" in rcm_described(root).images else None
    except BadInputError:
        return None
