"""First names of the 1990 US Census, for the character-level name generator.

Source: the U.S. Census Bureau's 1990 name frequency lists ``dist.female.first`` (4,275
names) and ``dist.male.first`` (1,219 names), as redistributed in the ``names`` package
0.3.0 on PyPI by Trey Hunner (MIT licence).  They ship here unchanged as
``census1990_first_female.txt`` and ``census1990_first_male.txt``; each line is
``NAME  frequency%  cumulative%  rank``.

:func:`load_names` returns the union of both lists, lowercase, deduplicated and sorted:
every name is made of the letters a–z only, so a character-level model of names has the
vocabulary ``"\\n"`` + a–z (|V| = 27, see :func:`name_vocabulary`).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["NAME_FILES", "load_names", "name_vocabulary"]

_HERE = Path(__file__).resolve().parent
#: sex -> file shipped in this folder
NAME_FILES = {
    "female": _HERE / "census1990_first_female.txt",
    "male": _HERE / "census1990_first_male.txt",
}


@lru_cache(maxsize=None)
def _read(sex: str) -> tuple[str, ...]:
    names = []
    for line in NAME_FILES[sex].read_text(encoding="ascii").splitlines():
        if line.strip():
            names.append(line.split()[0].lower())
    return tuple(names)


def load_names(sex: str | None = None) -> list[str]:
    """The first names, lowercase, deduplicated and sorted.

    Parameters
    ----------
    sex : ``None`` (both lists, 5,163 distinct names), ``"female"`` or ``"male"``.
    """
    if sex is not None and sex not in NAME_FILES:
        raise ValueError(f"sex must be None, 'female' or 'male'; got {sex!r}")
    sexes = NAME_FILES if sex is None else (sex,)
    return sorted({name for s in sexes for name in _read(s)})


def name_vocabulary() -> tuple[dict[str, int], dict[int, str]]:
    """``(char_to_ix, ix_to_char)`` for names: ``"\\n"`` (end of name) is 0, ``a``…``z`` are 1…26."""
    chars = ["\n"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    char_to_ix = {ch: i for i, ch in enumerate(chars)}
    return char_to_ix, {i: ch for ch, i in char_to_ix.items()}
