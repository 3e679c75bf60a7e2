"""Which of a product's files or bands is the scene: the co-polarised one (VV, else HH), as a slick
damps the sea's return most there, picked out by the polarisation its name carries. A
compact-polarisation product (RCM's: circular transmit, H and V received, named CH and CV) has
neither: its CV image is taken, then CH, as the sea's return in CV is mostly the VV return (the
cross-polarised part is far weaker), and in CH the HH one."""

from __future__ import annotations

import re

from seep.errors import BadInputError

_POLARISATION = re.compile(r"(?:^|[-_])(vv|hh|vh|hv|cv|ch)(?:$|[-_.])")
CO_POLARISED = ("vv", "hh", "cv", "ch")  # the order one is taken in


def taken_note(what: str, names: list[str], taken: int) -> str:
    """What is said of the file or band taken of several: "its VV band Sigma0_VV imported (Sigma0_VH left out)"."""
    pol = _POLARISATION.search(names[taken].lower())
    left = ", ".join(n for i, n in enumerate(names) if i != taken)
    return f"its {pol[1].upper() + ' ' if pol else ''}{what} {names[taken]} imported" + (f" ({left} left out)" if left else "")


def one_of(names: list[str], polarisations: tuple[str, ...]) -> int | None:
    """The index of the one name of the first polarisation that exactly one name carries."""
    found: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if pol := _POLARISATION.search(name.lower()):
            found.setdefault(pol[1], []).append(i)
    return next((found[p][0] for p in polarisations if len(found.get(p, [])) == 1), None)


def the_one(names: list[str], what: str, owner: str, refusal: str) -> tuple[int, str]:
    """Which of a product's files or bands (`what`) to import: its only one, else its one VV,
    else its one HH (else CV, then CH); with the note "OWNER: its VV file X imported (Y left out)".
    BadInputError(refusal) where there is no such one."""
    taken = 0 if len(names) == 1 else one_of(names, CO_POLARISED)
    if taken is None:
        raise BadInputError(refusal)
    return taken, f"{owner}: {taken_note(what, names, taken)}"
