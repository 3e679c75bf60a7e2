"""RADARSAT-2 products as MDA delivers them: a folder named for the product holding product.xml
(where the image lies, when it was acquired: GDAL's RS2 driver reads it) beside one GeoTIFF per
polarisation (imagery_HH.tif, imagery_HV.tif, ...) and the calibration tables."""

from __future__ import annotations

from pathlib import Path

from seep.data.polarisation import one_of, taken_note
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
    taken = 0 if len(files) == 1 else one_of(names, ("vv", "hh"))
    if taken is None:
        raise BadInputError(
            f"{root} is a RADARSAT-2 product with no one VV or HH image file (it holds {', '.join(names)}): "
            "import one of them itself"
        )
    if not files[taken].is_file():
        raise BadInputError(f"{root} is a RADARSAT-2 product without {names[taken]}, which its product.xml names: copy it whole")
    return files[taken], f"{root.name}: {taken_note('file', names, taken)}"


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
