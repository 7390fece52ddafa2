"""The strict build of the website, and what the built pages may and may not contain."""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from book_sources import book_pages, chapter_notebooks, markdown_sources, read_notebook, rel, strip_code

from seqlab import book

SOLUTION_DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{solution(?:-start)?\}", re.MULTILINE)


def test_build_is_strict_and_links_resolve(site):
    # the fixture ran `jupyter-book build -W -n --keep-going` and the link/offline checks
    assert book.check_site(site) == []
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert {"index.html", "book/welcome.html", "book/notation.html",
            "book/part1/ch01_sequence_data.html", "book/contributing.html"} <= pages


def test_assets_are_served_from_the_build(site):
    chapter = (site / "book/part1/ch01_sequence_data.html").read_text(encoding="utf-8")
    welcome = (site / "book/welcome.html").read_text(encoding="utf-8")
    for page in (chapter, welcome):
        assert "_static/vendor/mathjax/tex-mml-chtml.js" in page
    assert (site / "_static/vendor/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff").is_file()
    # require.js and the widget manager only where there are widgets
    assert "application/vnd.jupyter.widget-state+json" in chapter
    assert "vendor/requirejs/require.js" in chapter and "vendor/html-manager/embed-amd.js" in chapter
    assert "require.js" not in welcome and "embed-amd.js" not in welcome
    assert '"@jupyter-widgets/html-manager/dist": "../../_static/vendor/html-manager"' in chapter
    assert list((site / "_static/vendor/html-manager").glob("*.woff2"))
    for package in ("mathjax", "requirejs", "html-manager"):
        assert (site / "_static/vendor" / package / "LICENSE").is_file()


def test_sources_are_not_published(site):
    assert not (site / "_sources").exists()
    for page in site.rglob("*.html"):
        assert not re.search(r"""(href|src)=["'][^"']*_sources/""", page.read_text(encoding="utf-8")), page


def test_download_and_launch_links_come_from_the_repository(site):
    chapter = (site / "book/part1/ch01_sequence_data.html").read_text(encoding="utf-8")
    repo = "https://github.com/seqlab-course/seqlab"
    assert f"{repo}/raw/main/book/part1/ch01_sequence_data.ipynb" in chapter
    assert "https://colab.research.google.com/github/seqlab-course/seqlab/blob/main/book/part1/" in chapter


class _Solutions(HTMLParser):
    """Splits a page's text into what is inside solution admonitions and what is outside."""

    def __init__(self):
        super().__init__()
        self.solutions: list[set[str]] = []
        self.inside: list[str] = []
        self.outside: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag != "div":
            return
        classes = set((dict(attrs).get("class") or "").split())
        if self._depth:
            self._depth += 1
        elif {"solution", "admonition"} <= classes:
            self.solutions.append(classes)
            self._depth = 1

    def handle_endtag(self, tag):
        if tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data):
        (self.inside if self._depth else self.outside).append(data)


def _parse(html: Path) -> _Solutions:
    parser = _Solutions()
    parser.feed(html.read_text(encoding="utf-8"))
    return parser


def _source_solutions(path: Path) -> int:
    return sum(len(SOLUTION_DIRECTIVE.findall(strip_code(text))) for text in markdown_sources(path))


def test_every_solution_is_folded(site):
    checked = 0
    for path in book_pages():
        expected = _source_solutions(path)
        parser = _parse(site / Path(rel(path)).with_suffix(".html"))
        assert len(parser.solutions) == expected, f"{rel(path)}: solutions in the source and the page differ"
        for classes in parser.solutions:
            assert "dropdown" in classes, f"{rel(path)}: a solution is not folded (use :class: dropdown)"
        checked += expected
    assert checked > 0


def _gated_solution_outputs(path: Path) -> list[str]:
    """Printed lines of the code cells between {solution-start} and {solution-end}."""
    lines, inside = [], False
    for cell in read_notebook(path)["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if "{solution-start}" in text:
                inside = True
            if "{solution-end}" in text:
                inside = False
        elif inside:
            for output in cell.get("outputs", []):
                lines += [line for line in "".join(output.get("text", "")).splitlines() if line.strip()]
    return lines


def test_solution_code_and_output_stay_inside_the_fold(site):
    checked = 0
    for path in chapter_notebooks():
        lines = _gated_solution_outputs(path)
        if not lines:
            continue
        parser = _parse(site / Path(rel(path)).with_suffix(".html"))
        inside, outside = "".join(parser.inside), "".join(parser.outside)
        for line in lines:
            assert line in inside, f"{rel(path)}: solution output {line!r} is not inside a solution"
            assert line not in outside, f"{rel(path)}: solution output {line!r} shows outside the fold"
        checked += len(lines)
    assert checked > 0


def _solution_lines(source: Path) -> set[str]:
    """The distinctive code lines between ### BEGIN SOLUTION and ### END SOLUTION of a source."""
    lines, inside = set(), False
    for cell in json.loads(source.read_text(encoding="utf-8"))["cells"]:
        for line in "".join(cell["source"]).splitlines():
            stripped = line.strip()
            if stripped.startswith("### BEGIN SOLUTION") or stripped.startswith("### BEGIN HIDDEN TESTS"):
                inside = True
            elif stripped.startswith("### END SOLUTION") or stripped.startswith("### END HIDDEN TESTS"):
                inside = False
            elif inside and len(stripped) > 25 and not stripped.startswith("#"):
                lines.add(stripped)
    return lines


def test_assignment_solutions_never_reach_the_site(site):
    """Neither the pages, their downloads, nor any other built file holds a solution line."""
    html_dir = site
    sources = sorted((book.ROOT / "book" / "assignments" / "source").glob("*/*.ipynb"))
    assert sources, "no assignment sources found"
    secrets = set().union(*(_solution_lines(s) for s in sources))
    assert len(secrets) > 20
    release_pages = list(html_dir.glob("book/assignments/release/*/*.html"))
    assert len(release_pages) == len(sources), "every release notebook is a page of the site"
    for path in html_dir.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".txt", ".js", ".json", ".md", ".py"):
            text = html.unescape(path.read_text(encoding="utf-8", errors="replace"))
            leaked = [line for line in secrets if line in text]
            assert not leaked, f"{path.relative_to(html_dir)} contains solution code: {leaked[:2]}"
