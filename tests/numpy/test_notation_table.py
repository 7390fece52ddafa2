"""seqlab.notation: every symbol complete and unique; the notation page renders every symbol."""
from __future__ import annotations

import re

import pytest

from seqlab.notation import (BY_KEY, DIMENSIONS, SYMBOLS, Symbol, notation_markdown, notation_table,
                             symbol, text_of)

ALL = list(SYMBOLS.values())
_TERM = re.compile(r"^(\d+ )?([A-Za-z_]+)$")


@pytest.mark.parametrize("s", ALL, ids=[s.name for s in ALL])
def test_every_symbol_is_complete(s: Symbol):
    assert s.text and s.latex and s.meaning.strip()
    assert isinstance(s.shape, tuple)
    assert isinstance(s.chapter, int) and 0 <= s.chapter <= 18
    for dim in s.shape:  # every dimension is a size name, "1", or k·name sums of them
        for term in dim.split("+"):
            term = term.strip()
            assert term == "1" or (_TERM.match(term) and _TERM.match(term).group(2) in DIMENSIONS), (s.name, dim)
    if s.shape:
        assert s.shape_text() == "(" + ", ".join(s.shape) + ")"
    else:
        assert s.shape_text() == "scalar"


def test_names_texts_and_keys_are_unique():
    names = [s.name for s in ALL]
    texts = [s.text for s in ALL]
    keys = [s.key for s in ALL if s.key]
    assert len(set(names)) == len(names)
    assert len(set(texts)) == len(texts)
    assert len(set(keys)) == len(keys)
    assert set(BY_KEY) == set(keys)


def test_parameter_keys_cover_the_cells():
    for key in ("Wax", "Waa", "Wya", "ba", "by", "Wc", "bc", "Wu", "bu", "Wr", "br", "bca",
                "Wf", "bf", "Wo", "bo", "Wy", "W", "R", "P", "b"):
        assert key in BY_KEY, key
    assert BY_KEY["Waa"].shape == ("n_a", "n_a") and BY_KEY["Wc"].shape == ("n_a", "n_a + n_x")
    assert BY_KEY["W"].shape == ("4 n_a", "n_x") and BY_KEY["P"].shape == ("3 n_a", "1")


def test_markdown_renders_every_symbol():
    md = notation_markdown()
    lines = md.strip().splitlines()
    assert lines[0].startswith("| Symbol |") and set(lines[1]) <= {"|", "-"}
    rows = lines[2:]
    assert len(rows) == len(ALL)
    for s, row in zip(ALL, rows):
        assert f"${s.latex}$" in row
        assert f"`{s.text.replace('|', chr(92) + '|')}`" in row
        assert s.meaning in row
        if s.key:
            assert f"`{s.key}`" in row
        assert row.count("|") - row.count("\\|") == 7  # six cells


def test_notation_table():
    rows = notation_table()
    assert len(rows) == len(ALL)
    assert {r["symbol"] for r in rows} == {s.text for s in ALL}
    x_t = next(r for r in rows if r["symbol"] == "x^<t>")
    assert x_t["shape"] == "(n_x, m)" and x_t["chapter"] == "1" and x_t["key"] == ""
    early = notation_table(max_chapter=3)
    assert 0 < len(early) < len(rows)
    assert all(int(r["chapter"]) <= 3 for r in early)
    assert "Γ_f" not in {r["symbol"] for r in early}


def test_text_of_and_symbol_lookup():
    assert text_of("x_t") == "x^<t>"
    assert text_of("Wax") == "W_ax"
    assert text_of("a_prev") == "a^<t-1>"
    assert text_of("a0") == "a^<0>"
    assert text_of("x^<t>") == "x^<t>"
    assert text_of("not a symbol") == "not a symbol"
    assert symbol("Waa") is SYMBOLS["Waa"]
    assert symbol("Γ_u") is SYMBOLS["Gamma_u"]
    assert symbol("bf").text == "b_f"
    with pytest.raises(KeyError, match="'zzz' is not a symbol of the course's notation"):
        symbol("zzz")
