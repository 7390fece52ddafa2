"""The notation page is generated from seqlab.notation, and the book's math speaks that notation."""
from __future__ import annotations

import re

import pytest
from book_sources import ROOT, book_pages, markdown_sources, rel, strip_code

from seqlab import book
from seqlab.notation import SYMBOLS, Symbol

# --- the generated page ----------------------------------------------------------------------

def test_committed_notation_page_is_up_to_date():
    committed = (ROOT / book.NOTATION_PAGE).read_text(encoding="utf-8")
    assert committed == book.notation_page(ROOT), \
        "book/notation.md is stale: run `python -m seqlab.book generate` and commit it"


def test_notation_page_lists_every_symbol_once_with_a_label():
    page = book.notation_page(ROOT)
    labels = [book.symbol_anchor(s) for s in SYMBOLS.values()]
    assert len(set(labels)) == len(labels)
    for sym, label in zip(SYMBOLS.values(), labels):
        assert page.count(f"({label})=") == 1
        assert f"${sym.latex}$" in page
    assert book.symbol_anchor(SYMBOLS["L"]) != book.symbol_anchor(SYMBOLS["l"])


def test_notation_page_links_the_chapters_that_exist(tmp_path):
    page = book.notation_page(ROOT)
    assert "{doc}`1 <part1/ch01_sequence_data>`" in page
    # a chapter that does not exist yet is named, not linked
    (tmp_path / "book" / "part2").mkdir(parents=True)
    (tmp_path / "book" / "part2" / "ch08_gru.ipynb").write_text("{}")
    other = book.notation_page(tmp_path)
    assert "{doc}`8 <part2/ch08_gru>`" in other and "{doc}`1 <" not in other


@pytest.mark.parametrize("number,path", sorted(book.chapter_files(ROOT).items()), ids=str)
def test_each_chapter_links_the_symbols_it_introduces(number, path):
    text = "\n".join(markdown_sources(ROOT / path))
    missing = [s.text for s in SYMBOLS.values() if s.chapter == number and f"(#{book.symbol_anchor(s)})" not in text]
    assert not missing, (f"{path}: its 'Notation introduced' section must link "
                         f"{', '.join(missing)} to the notation page, e.g. [$x$](#sym-x)")


# --- the symbols used in the book's math --------------------------------------------------------

#: generic math that needs no entry in seqlab.notation: indices, Euler's number, the identity
#: matrix, the reals, expectation, normal and uniform distributions
GENERIC = {"i", "j", "k", "t", "e", "I", r"\mathbb{R}", r"\mathbb{E}", r"\mathcal{N}", r"\mathcal{U}"}
GREEK = set(r"""alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
xi pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi
Psi Omega""".split())
#: macros that build one symbol from their argument
SYMBOL_MACROS = set("hat tilde bar vec dot ddot overrightarrow overleftarrow widehat widetilde overline "
                    "mathcal mathbb mathbf boldsymbol bm".split())
#: macros whose argument is text, not math
TEXT_MACROS = set("text mathrm operatorname textrm textit textbf texttt mathit mbox begin end label tag "
                  "color".split())


def _group(s: str, i: int) -> tuple[str, int]:
    """The argument at ``s[i]``: a {braced group}, a macro or one character."""
    while i < len(s) and s[i].isspace():
        i += 1
    if i >= len(s):
        return "", i
    if s[i] == "{":
        depth = 0
        for j in range(i, len(s)):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 1:j], j + 1
        return s[i + 1:], len(s)
    if s[i] == "\\":
        name, j = _macro(s, i)
        return "\\" + name, j
    return s[i], i + 1


def _macro(s: str, i: int) -> tuple[str, int]:
    """The name of the macro that starts at ``s[i] == '\\'``."""
    j = i + 1
    while j < len(s) and s[j].isalpha():
        j += 1
    return (s[i + 1:j], j) if j > i + 1 else (s[i + 1:i + 2], i + 2)


def _norm(script: str) -> str:
    """A sub/superscript in one spelling: ⟨anything⟩ -> <t>, (2) -> (i), [2] -> [l], no spaces."""
    script = re.sub(r"\\left|\\right", "", script)
    script = re.sub(r"\\langle(.*?)\\rangle", "<t>", script)
    script = re.sub(r"\((\d+|[ijk])\)", "(i)", script)
    script = re.sub(r"\[(\d+|l)\]", "[l]", script)
    script = re.sub(r"\s+", " ", script).strip()
    return re.sub(r"(?<=[^A-Za-z]) | (?=[^A-Za-z])", "", script)


def math_symbols(latex: str) -> list[str]:
    """The symbols of a LaTeX formula, each with its sub- and superscripts, in one spelling.

    ``W_{aa} a^{\\langle t-1 \\rangle}`` -> ``['W_{aa}', 'a^{<t>}']``; operators (``\\sum``,
    ``\\tanh``, ``=``), numbers and text are skipped, but their scripts are searched.
    """
    found: list[str] = []
    i = 0
    while i < len(latex):
        c, base = latex[i], None
        if c == "\\":
            name, i = _macro(latex, i)
            if name in TEXT_MACROS:
                _, i = _group(latex, i)
            elif name in GREEK:
                base = "\\" + name
            elif name in SYMBOL_MACROS:
                arg, i = _group(latex, i)
                base = f"\\{name}{{{_norm(arg)}}}"
        elif c.isalpha():
            base, i = c, i + 1
        elif c not in "^_":
            i += 1
            continue
        scripts = {}
        while True:
            j = i
            while j < len(latex) and latex[j].isspace():
                j += 1
            if j < len(latex) and latex[j] == "'":
                i = j + 1
                continue
            if j >= len(latex) or latex[j] not in "^_":
                break
            scripts[latex[j]], i = _group(latex, j + 1)
        if base is None or base in GENERIC:
            for script in scripts.values():
                found += math_symbols(script)
            continue
        found.append(base + "".join(f"{k}{{{_norm(scripts[k])}}}" for k in "_^" if k in scripts))
    return found


def _known_symbols() -> set[str]:
    forms = set()
    for sym in SYMBOLS.values():
        for latex in (sym.latex, *sym.aliases):
            forms.update(math_symbols(latex))
    return forms


KNOWN = _known_symbols()


def _split(token: str) -> tuple[str, str | None, str | None]:
    """``base_{sub}^{sup}`` -> (base, sub, sup), the form :func:`math_symbols` writes."""
    base = re.match(r"\\[A-Za-z]+\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z]", token).group(0)
    scripts, i = {}, len(base)
    while i < len(token):
        arg, j = _group(token, i + 1)
        scripts[token[i]], i = arg, j
    return base, scripts.get("_"), scripts.get("^")


def _join(base: str, sub: str | None, sup: str | None) -> str:
    return base + (f"_{{{sub}}}" if sub is not None else "") + (f"^{{{sup}}}" if sup is not None else "")


def is_known(token: str) -> bool:
    """In the notation, or a known symbol with an index, a power or a component taken."""
    if token in KNOWN or token in GENERIC:
        return True
    base, sub, sup = _split(token)
    candidates = []
    if sup is not None:
        # the example (i), layer [l] or time <t> index added: x^{(i)}, W_{aa}^{[l]}, \Gamma_u^{<t>}
        bare = re.sub(r"\(i\)|\[l\]", "", sup)
        candidates += [_join(base, sub, bare or None), _join(base, sub, None)] if re.fullmatch(
            r"(\(i\)|\[l\]|<t>)+", sup) else [_join(base, sub, bare or None)]
        # a transpose or a power: W_{aa}^{\top}, \rho^{k}, n_a^{2}
        if re.fullmatch(r"\\top|-?\d+|[ijk]", sup):
            candidates.append(_join(base, sub, None))
    if sub is not None and sup is not None and all(is_known(t) for t in math_symbols(sub)):
        # a component of a known vector: \hat{y}^{<t>}_{k}, \hat{y}^{<t>}_{y^{<t>}}
        candidates.append(_join(base, None, sup))
    return any(c != token and is_known(c) for c in candidates)


MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(.+?)(?<!\\)\$|\\begin\{(\w+\*?)\}(.+?)\\end\{\3\}"
                  r"|^```\{math\}\n(.+?)^```", re.DOTALL | re.MULTILINE)


def formulas(markdown: str) -> list[str]:
    """The LaTeX of every formula of a Markdown text ($...$, $$...$$, amsmath environments, {math})."""
    markdown = strip_code(markdown)
    return [next(g for g in (m.group(1), m.group(2), m.group(4), m.group(5)) if g is not None)
            for m in MATH.finditer(markdown)]


def test_math_symbols_reads_the_course_notation():
    assert math_symbols(r"a^{\langle t \rangle} = g(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a)") \
        == ["a^{<t>}", "g", "W_{aa}", "a^{<t>}", "W_{ax}", "x^{<t>}", "b_{a}"]
    assert math_symbols(r"\hat y^{\langle 3\rangle} \odot \Gamma_{u} + \tilde{c}^{<t>}") \
        == [r"\hat{y}^{<t>}", r"\Gamma_{u}", r"\tilde{c}^{<t>}"]
    assert math_symbols(r"x^{(2)\langle 5 \rangle}, T_x^{(1)}, \mathcal{L} = \sum_{t=1}^{T_y} \mathcal{L}^{\langle t \rangle}") \
        == ["x^{(i)<t>}", "T_{x}^{(i)}", r"\mathcal{L}", "T_{y}", r"\mathcal{L}^{<t>}"]
    assert math_symbols(r"\mathrm{softmax}(z) \in \mathbb{R}^{n_y}, \text{for all } i, e^{-z}") == ["z", "n_{y}", "z"]
    assert math_symbols(r"\begin{aligned} W'_{aa} &= 10\,000 \\ \lvert\mathcal{V}\rvert \end{aligned}") \
        == ["W_{aa}", r"\mathcal{V}"]


def test_known_symbols_come_from_the_notation():
    for sym in SYMBOLS.values():
        # upright names such as PP are text; generic letters (k, I) are symbols the notation
        # lists for readers, though the math check accepts them anywhere
        if not sym.latex.startswith("\\mathrm") and sym.latex not in GENERIC:
            assert math_symbols(sym.latex), f"{sym.name}: its LaTeX {sym.latex!r} holds no symbol"
    for token in ("x^{<t>}", "x^{(i)<t>}", "x^{(i)}", "T_{x}^{(i)}", r"\Gamma_{u}^{<t>}", "W_{aa}^{[l]}",
                  "a^{[l]<t>}", r"W_{aa}^{\top}", r"\rho^{k}", "n_{a}^{2}", r"\hat{y}_{k}^{<t>}",
                  r"\hat{y}_{y^{<t>}}^{<t>}", r"\mathcal{N}"):
        assert is_known(token), token
    for token in ("z", "W_{xa}", r"\beta", "h^{<t>}", "X", "W_{aa}^{z}", r"\hat{y}_{z}^{<t>}", "n"):
        assert not is_known(token), token


def test_formulas_are_found_in_markdown():
    text = ("Inline $x^{\\langle t \\rangle}$ and $$L = \\sum_t L^{\\langle t \\rangle}$$, costs \\$5, "
            "`$not math$`\n```python\nprint('$no$')\n```\n\\begin{equation}W_a\\end{equation}\n"
            "```{math}\nb_y\n```\n")
    assert formulas(text) == ["x^{\\langle t \\rangle}", "L = \\sum_t L^{\\langle t \\rangle}", "W_a", "b_y\n"]
    directive = "```{exercise} Shapes\n:label: ex\n\nWhat is $W_{ya}$?\n```\n````md\n```{solution}\n$h$\n```\n````\n"
    assert formulas(directive) == ["W_{ya}"]


@pytest.mark.parametrize("path", book_pages(), ids=rel)
def test_book_math_uses_only_the_notation(path):
    unknown = set()
    for markdown in markdown_sources(path):
        for formula in formulas(markdown):
            unknown.update(t for t in math_symbols(formula) if not is_known(t))
    assert not unknown, (f"{rel(path)}: symbols missing from seqlab.notation: {sorted(unknown)}; "
                         "add them to seqlab/notation.py (or write text with \\text{...})")
