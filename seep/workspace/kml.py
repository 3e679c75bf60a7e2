"""What GDAL's KML writer leaves out and Google Earth shows: each seep class in its own colour
(GDAL gives every placemark the same red, unfilled outline) and each slick or site at its time,
so that the time slider steps through the passes. Both are added to the file GDAL wrote; its
geometry is left as GDAL wrote it. An export's folder also keeps a note (its labels_at) that
outlives the last placemark deleted in Google Earth, which GDAL neither writes nor reads.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

KML_NS = "http://www.opengis.net/kml/2.2"
_K = f"{{{KML_NS}}}"
# A KML feature's elements before its time and style (the schema's order; ExtendedData and the geometry come after)
_BEFORE = {"name", "visibility", "open", "address", "phoneNumber", "Snippet", "description"}


def dress(
    path: Path,
    placemarks: list[tuple[str | None, str | None, str | None]],
    styles: dict[str, tuple[int, int, int]] | None = None,
    note: str | None = None,
) -> None:
    """Give the KML file at `path` `styles` ({id: (r, g, b)}) and each of its placemarks, in the
    order written, (style id or None, begin or None, end or None): one time is a moment (a pass),
    two a span (a site seen from its first pass to its last); `note`: its folder's description."""
    ET.register_namespace("", KML_NS)
    tree = ET.parse(path)
    doc = tree.getroot().find(f"{_K}Document")
    if note is not None:
        for folder in doc.findall(f"{_K}Folder"):  # GDAL writes one a layer, its name first
            description = ET.Element(f"{_K}description")
            description.text = note
            folder.insert(1, description)
    for i, (style, rgb) in enumerate((styles or {}).items()):
        doc.insert(i, _style(style, rgb))
    for placemark, (style, begin, end) in zip(doc.iter(f"{_K}Placemark"), placemarks, strict=True):
        if style is not None:
            for own in placemark.findall(f"{_K}Style"):  # an inline style would win over the shared one
                placemark.remove(own)
        at = next((i for i, e in enumerate(placemark) if e.tag.removeprefix(_K) not in _BEFORE), len(placemark))
        for element in reversed([e for e in (_time(begin, end), _style_url(style)) if e is not None]):
            placemark.insert(at, element)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def folder_note(kml: bytes, layer: str) -> str | None:
    """The description of the folder named `layer` in the KML document `kml` (None: no such
    folder or no description), as Google Earth keeps it when it saves the file."""
    try:
        root = ET.fromstring(kml)
    except ET.ParseError:  # GDAL read it, or its own error says why
        return None
    for folder in root.iter(f"{_K}Folder"):
        if (folder.findtext(f"{_K}name") or "").strip() == layer:
            return folder.findtext(f"{_K}description")
    return None


def _style(style: str, rgb: tuple[int, int, int]) -> ET.Element:
    """An outline in the class's colour over a 40% fill of it (KML writes colours aabbggrr)."""
    bgr = "".join(f"{v:02x}" for v in reversed(rgb))
    element = ET.Element(f"{_K}Style", id=style)
    line = ET.SubElement(element, f"{_K}LineStyle")
    ET.SubElement(line, f"{_K}color").text = f"ff{bgr}"
    ET.SubElement(line, f"{_K}width").text = "2"
    ET.SubElement(ET.SubElement(element, f"{_K}PolyStyle"), f"{_K}color").text = f"66{bgr}"
    return element


def _style_url(style: str | None) -> ET.Element | None:
    if style is None:
        return None
    element = ET.Element(f"{_K}styleUrl")
    element.text = f"#{style}"
    return element


def _time(begin: str | None, end: str | None) -> ET.Element | None:
    if begin is None and end is None:
        return None
    if begin == end:
        element = ET.Element(f"{_K}TimeStamp")
        ET.SubElement(element, f"{_K}when").text = begin
        return element
    element = ET.Element(f"{_K}TimeSpan")
    for name, value in (("begin", begin), ("end", end)):
        if value is not None:
            ET.SubElement(element, f"{_K}{name}").text = value
    return element
