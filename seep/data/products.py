"""SAR products as they arrive, each one scene: which of a product's files is the scene, and what
the scene is named.

A Sentinel-1 product (NAME.SAFE, or the hub's zip of it), a RADARSAT-2 or RCM product (its
folder or zip, seep.data.radarsat), a TerraSAR-X, TanDEM-X or PAZ product (its folder), an ASF
terrain-corrected product (PRODUCT_VV.tif beside its other layers, or its zip) and a product as
ESA's SNAP saves it (NAME.dim beside NAME.data/) hold several rasters: the co-polarised one (VV,
else HH) is the scene, as a slick damps the sea's return most there; the others are said to be
left out.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
import zlib
from pathlib import Path

from seep.data.polarisation import CO_POLARISED, one_of, taken_note, the_one
from seep.data.radarsat import (
    RCM_SCHEMA,
    RcmProduct,
    rcm_measurement,
    rcm_product,
    rcm_product_of,
    rcm_read,
    rcm_taken,
    rs2_header,
    rs2_measurement,
    rs2_names,
    rs2_product,
    rs2_product_of,
)
from seep.errors import BadInputError, first_line


def snap_product(path: Path) -> bool:
    """A product as SNAP saves it (BEAM-DIMAP): NAME.dim beside its NAME.data folder of bands."""
    return path.suffix.lower() == ".dim" and path.is_file() and path.with_suffix(".data").is_dir()


def snap_product_band(path: Path) -> tuple[Path, str | None]:
    """A BEAM-DIMAP product's band to import, an ENVI raster GDAL reads (NAME.data/Sigma0_VV.img):
    its one band, or its VV band, else HH, as a Sentinel-1 product's VV file is taken; with the
    note saying so, or BadInputError naming the bands to choose from."""
    bands = sorted(path.with_suffix(".data").glob("*.img"))
    names = [b.stem for b in bands]
    taken, note = the_one(
        names,
        "band",
        path.name,
        f"{path} is a SNAP product with no one VV or HH band (it holds {', '.join(names) or 'none'}): export the band to "
        "import from SNAP as a GeoTIFF, or give its .img file itself",
    )
    return bands[taken], note


def sentinel1_product(path: Path) -> Path | None:
    """The .SAFE folder of a Sentinel-1 product given whole (the folder or its manifest.safe); None for anything else."""
    root = path if path.is_dir() else path.parent if path.name.lower() == "manifest.safe" else None
    return root if root is not None and (root / "manifest.safe").is_file() and not rcm_product(root) else None


def sentinel1_measurement(path: Path) -> tuple[Path, str]:
    """A Sentinel-1 product's co-polarised measurement GeoTIFF and a note saying which was
    taken and what was left out (see _co_polarised)."""
    root = sentinel1_product(path)
    tiffs = sorted((root / "measurement").glob("*.tif*")) if (root / "measurement").is_dir() else []
    i, note = _co_polarised(path, root.name, [t.name for t in tiffs])
    return tiffs[i], note


# TerraSAR-X, TanDEM-X and PAZ products, as GDAL's TSX driver knows them: a folder named for the
# product (TSX1_SAR__MGD_RE___SM_S_SRA_20100125T050606_20100125T050614) holding its main XML of
# that name and IMAGEDATA/ of one GeoTIFF per polarisation (IMAGE_HH_SRA_strip_007.tif), placed
# as the GeoTIFF places itself (a geocoded GEC or EEC product on its map grid), its time in its name.
TSX_MISSIONS = {"TSX1_SAR": "TerraSAR-X", "TDX1_SAR": "TanDEM-X", "PAZ1_SAR": "PAZ"}


def tsx_product(path: Path) -> Path | None:
    """The folder of a TerraSAR-X, TanDEM-X or PAZ product given whole (the folder, or its main
    XML); None for anything else."""
    root = path if path.is_dir() else path.parent if path.suffix.lower() == ".xml" and path.stem == path.parent.name else None
    if root is None or root.name[:8].upper() not in TSX_MISSIONS:
        return None
    return root if (root / f"{root.name}.xml").is_file() and (root / "IMAGEDATA").is_dir() else None


def tsx_product_of(path: Path) -> Path | None:
    """The TerraSAR-X, TanDEM-X or PAZ product an image file given by itself belongs to, or None:
    named as its product is (each product's images are IMAGE_HH_SRA_strip_007.tif)."""
    return tsx_product(path.parent.parent) if path.is_file() and path.parent.name == "IMAGEDATA" else None


def tsx_measurement(path: Path) -> tuple[Path, str]:
    """A TerraSAR-X, TanDEM-X or PAZ product's co-polarised image (VV, else HH) and the note on
    what was left out."""
    root = tsx_product(path)
    images = sorted(p for p in (root / "IMAGEDATA").iterdir() if p.suffix.lower() in (".tif", ".tiff"))
    names = [p.name for p in images]
    kind = TSX_MISSIONS[root.name[:8].upper()]
    taken, note = the_one(
        names,
        "file",
        root.name,
        f"{root} is a {kind} product with no one VV or HH image in IMAGEDATA/ (it holds {', '.join(names) or 'none'}): "
        "import one of them itself",
    )
    return images[taken], note


def product_kind(path: Path) -> str | None:
    """Which satellite's product a folder given whole is ("Sentinel-1", "RADARSAT-2", ...): one
    scene, its co-polarised file; None for any other path."""
    if rcm_product(path):  # before Sentinel-1's: it has a manifest.safe too
        return "RADARSAT Constellation (RCM)"
    if sentinel1_product(path):
        return "Sentinel-1"
    if tsx := tsx_product(path):
        return TSX_MISSIONS[tsx.name[:8].upper()]
    return "RADARSAT-2" if rs2_product(path) else None


def product_measurement(path: Path) -> tuple[Path, str]:
    """A product folder's co-polarised image file and the note on what was left out (see product_kind)."""
    if rcm_product(path):
        return rcm_measurement(path)
    if tsx_product(path):
        return tsx_measurement(path)
    return sentinel1_measurement(path) if sentinel1_product(path) else rs2_measurement(path)


def product_file(path: Path) -> tuple[Path, str | None, Path]:
    """What a scene is read from: a product as it arrives (a .SAFE, RADARSAT-2 or RCM folder)
    becomes its co-polarised image file, a SNAP product its band; a zipped one stays the zip (read
    in place: its origin is the file to import again), checked whole first. With the note saying
    which file was taken, and the path whose names may tell the time (the file's inside the zip:
    the zip may be named "download (3).zip"). Any other file is itself."""
    if product_kind(path):
        tif, note = product_measurement(path)
        return tif, note, tif
    if snap_product(path):  # the product's name tells the time
        band, note = snap_product_band(path)
        return band, note, path
    if zipped_product(path):
        inside, note = zipped_measurement(path)
        check_zipped(path, inside)
        return path, note, Path(inside)
    return path, None, path


def zipped_product(path: Path) -> bool:
    """A product as it is handed out zipped: a Sentinel-1 product from the Copernicus hub (a zip
    holding NAME.SAFE/manifest.safe), a RADARSAT-2 or RCM one (NAME/product.xml, NAME/metadata/product.xml,
    as EODMS delivers them), or an ASF terrain-corrected one (PRODUCT/PRODUCT_VV.tif)."""
    return any(f(path) is not None for f in (_safe_in_zip, rs2_in_zip, rcm_in_zip, _asf_in_zip))


def zipped_measurement(path: Path) -> tuple[str, str]:
    """A zipped product's co-polarised measurement: its name inside the zip, and the note. It is
    read in place: GDAL keeps points to restart inflating from, so reading it window by window
    and warped costs about what reading the unzipped file does (benchmarks/bench_zipped.py)."""
    inside, note = _measurement_in_zip(path)
    # A RADARSAT-2 or RCM product's XML names its image files: a zip whose list of files was
    # garbled on the way (found by bench_fuzz.py) holds none of that name.
    if inside not in (_listing(path) or []):
        raise BadInputError(
            f"{path} is damaged: its product names {inside}, which is not in it (its list of files garbled, or "
            "the file left out); download it again"
        )
    return inside, note


def _measurement_in_zip(path: Path) -> tuple[str, str]:
    if (safe := _safe_in_zip(path)) is not None:
        inside = sorted(n for n in _listing(path) if re.fullmatch(rf"{re.escape(safe)}/measurement/[^/]+\.tiff?", n, re.I))
        i, note = _co_polarised(path, safe, [n.rsplit("/", 1)[1] for n in inside])
        return inside[i], note
    if (xml := rs2_in_zip(path)) is not None:
        folder = xml.rpartition("/")[0]
        names = rs2_names(_unzipped(path, xml), f"{path}/{folder}".rstrip("/"))
        refusal = f"{path} holds a RADARSAT-2 product with no one VV or HH image file ({', '.join(names)})"
        taken, note = the_one(names, "file", path.name, refusal)
        return f"{folder}/{names[taken]}".lstrip("/"), note
    if (xml := rcm_in_zip(path)) is not None:  # its product.xml read once
        inside, note = rcm_taken(_rcm_in(path, xml), path)
        return f"{xml.removesuffix('metadata/product.xml')}{inside}", note
    taken, layers = _asf_in_zip(path)  # its VV file, its other layers left out
    names = [n.rsplit("/", 1)[-1] for n in layers]
    return layers[taken], f"{path.name}: {taken_note('file', names, taken)}"


def _listing(path: Path) -> list[str] | None:
    """The names of the files in a zip; None for a file that is no zip, or whose list of files
    is damaged (not_a_product says which)."""
    if path.suffix.lower() != ".zip" or not path.is_file():
        return None
    try:
        with zipfile.ZipFile(path) as z:
            return z.namelist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return None


XML_MOST = 64 << 20  # RADARSAT-2's and RCM's product.xml run to a few megabytes


def _unzipped(path: Path, inside: str) -> io.BytesIO:
    """A small file inside a zip (a product's XML), read whole so that its checksum is checked.
    Its size is read first: a zip uploaded on the Scene page may say gigabytes of zeros."""
    try:
        with zipfile.ZipFile(path) as z:
            size = z.getinfo(inside).file_size
            if size > XML_MOST:
                raise BadInputError(
                    f"{path}: {inside} in it holds {size / 1e6:,.0f} MB, far more than a product's XML;"
                    " this is no RADARSAT-2 or RCM product Seep reads"
                )
            with z.open(inside) as f:
                return io.BytesIO(f.read())
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as e:
        raise BadInputError(f"{path} is damaged: {inside} in it cannot be read ({first_line(e)}); download it again") from e


def rs2_in_zip(path: Path) -> str | None:
    """The name inside a zip of a RADARSAT-2 product's product.xml (at its top, or in the one
    folder of the product), or None for any other file."""
    return _xml_in_zip(path, r"(?:[^/]+/)?product\.xml", rs2_header)


def rcm_in_zip(path: Path) -> str | None:
    """The name inside a zip of an RCM product's metadata/product.xml (its product at the zip's
    top, or in one folder), or None for any other file."""
    return _xml_in_zip(path, r"(?:[^/]+/)?metadata/product\.xml", lambda head: RCM_SCHEMA in head)


def _xml_in_zip(path: Path, named: str, ours) -> str | None:
    """The first file inside a zip whose name matches `named` and whose head is `ours`. One that
    cannot be read is taken for it: reading the product then says it is damaged."""
    for name in (n for n in _listing(path) or [] if re.fullmatch(named, n, re.I)):
        try:
            head = _unzipped(path, name).read(2048)
        except BadInputError:
            return name
        if ours(head):
            return name
    return None


def zipped_rcm(path: Path) -> RcmProduct | None:
    """What the product.xml of a zipped RCM product says, read in place; None for any other file."""
    xml = rcm_in_zip(path)
    return None if xml is None else _rcm_in(path, xml)


def _rcm_in(path: Path, xml: str) -> RcmProduct:
    return rcm_read(_unzipped(path, xml), f"{path}/{xml}")


def _asf_in_zip(path: Path) -> tuple[int, list[str]] | None:
    """(which, the GeoTIFF layers of its product) of a zip of an ASF (HyP3) terrain-corrected
    product, PRODUCT/PRODUCT_VV.tif beside PRODUCT_VH.tif and its maps (seep.workspace.scenes'
    PRODUCT_LAYERS): the one VV file, else HH; None for any other file."""
    layers = sorted(n for n in _listing(path) or [] if re.fullmatch(r"(?:[^/]+/)?[^/]+_[a-z_]+\.tiff?", n, re.I))
    names = [n.rsplit("/", 1)[-1] for n in layers]
    taken = one_of(names, CO_POLARISED)
    if taken is None:
        return None
    folder, _, stem = layers[taken].rpartition("/")
    if folder and not stem.startswith(f"{folder}_"):  # PRODUCT/PRODUCT_VV.tif, not another's imagery_VV.tif
        return None
    product = layers[taken].rsplit("_", 1)[0] + "_"  # PRODUCT_ of PRODUCT_VV.tif (or .tiff)
    mine = [n for n in layers if n.startswith(product)]
    return mine.index(layers[taken]), mine


def check_zipped(path: Path, inside: str) -> None:
    """Inflates a file inside a zip once to its end, so that its checksum is checked: GDAL,
    reading it window by window, never checks it, and a download damaged on the way imported
    its garbled part as radar without a word. A few seconds a gigabyte; nothing is written.
    A zip found whole is not inflated again while it is unchanged (the command line checks it
    before it makes a workspace, the import again)."""
    seen = path.stat()
    _check_zipped(str(path), inside, (seen.st_ino, seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns))


@functools.lru_cache(maxsize=16)
def _check_zipped(path: str, inside: str, _version: tuple) -> None:
    try:
        with zipfile.ZipFile(path) as z, z.open(inside) as f:
            while f.read(1 << 24):
                pass
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise BadInputError(
            f"{path} is damaged: {inside} in it is not what was zipped ({first_line(e)}); download it again"
        ) from e


def not_a_product(path: Path, what: str) -> str:
    names = _listing(path)
    if names is None:
        return f"{what} {path} is not a whole zip file (cut short while downloading?): download it again"
    # An order of several products comes as a zip of each product's zip; GDAL reads none inside another.
    if zips := [n for n in names if n.lower().endswith(".zip")]:
        shown = ", ".join(zips[:3]) + (f" ({len(zips)} in all)" if len(zips) > 3 else "")
        return f"{what} {path} is a zip of zips ({shown}): unzip it and import each zip inside as it is"
    return (
        f"{what} {path} is a zip with no Sentinel-1 product in it (no NAME.SAFE/manifest.safe), nor a RADARSAT-2 "
        "or RCM one (no product.xml), nor an ASF one (no PRODUCT_VV.tif): unzip it and import its GeoTIFF"
    )


def _safe_in_zip(path: Path) -> str | None:
    """The NAME.SAFE folder inside a zip of a Sentinel-1 product, or None for any other file."""
    safes = {n[: -len("/manifest.safe")] for n in _listing(path) or [] if n.lower().endswith(".safe/manifest.safe")}
    return min(safes) if safes else None


def _co_polarised(path: Path, product: str, names: list[str]) -> tuple[int, str]:
    """Which of a product's measurement files to import, VV else HH (a slick damps the sea's
    return most there), and the note saying so; or BadInputError naming the files to choose
    from where there is no one such file."""
    if not names:
        raise BadInputError(f"{path} is a Sentinel-1 product with no measurement GeoTIFF in its measurement/ folder")
    taken = one_of(names, CO_POLARISED)
    if taken is not None:
        return taken, f"{product}: {taken_note('measurement', names, taken)}"
    shown = ", ".join(names[:3]) + (f" ({len(names)} in all)" if len(names) > 3 else "")
    how = "unzip it and import one of them itself" if path.suffix.lower() == ".zip" else "import one of them itself"
    raise BadInputError(
        f"{path} is a Sentinel-1 product with no one VV or HH measurement file (its measurement/ folder holds {shown}): {how}"
    )


def scene_stem(path: Path) -> str:
    """The name a scene takes from its file: a Sentinel-1 product's is its .SAFE folder's, zipped
    or not (a zip saved as "download (3).zip" keeps the product's name), a RADARSAT product's
    its folder's."""
    path = Path(path)
    mine = (rs2_product, rs2_product_of, rcm_product, rcm_product_of, tsx_product, tsx_product_of)
    if folder := next((root for find in mine if (root := find(path))), None):
        return folder.name  # its folder's name: each RADARSAT-2 product's files are imagery_HH.tif
    root = sentinel1_product(path)
    safe = None if root else _safe_in_zip(Path(path))
    if not root and not safe and (xml := rs2_in_zip(path) or rcm_in_zip(path)):  # its folder's name, else the zip's
        return xml.removesuffix("metadata/product.xml").removesuffix("product.xml").rstrip("/") or path.stem
    asf = None if root or safe else _asf_in_zip(Path(path))
    if asf:  # named for its VV file, as the unzipped product's scene is
        return Path(asf[1][asf[0]]).stem
    return Path(safe).stem if safe else (root or Path(path)).stem
