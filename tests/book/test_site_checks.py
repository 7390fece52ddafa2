"""The link and offline checks of `python -m seqlab.book build`, on small hand-made sites."""
from __future__ import annotations

from pathlib import Path

from seqlab.book import check_site


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    for name, body in pages.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return tmp_path


GOOD = {
    "index.html": '<a href="book/a.html#sec">a</a> <a href="https://example.org/x">ext</a>'
                  '<a href="mailto:x@example.org">m</a><a href="#top" id="top">top</a>'
                  '<script src="_static/s.js?v=1"></script><link rel="stylesheet" href="_static/s.css">',
    "book/a.html": '<h1 id="sec">A</h1><a href="../index.html">up</a><a href="./">dir</a>'
                   '<a href="https://colab.research.google.com/x">launch</a><img src="../_static/i.png">',
    "book/index.html": "<p>folder index</p>",
    "_static/s.js": "",
    "_static/s.css": "body { background: url(i.png); }",
    "_static/i.png": "",
    "_static/template.html": '<a href="{{ pathto(x) }}">templates of the theme are not pages</a>',
}


def test_a_good_site_passes(tmp_path):
    assert check_site(_site(tmp_path, GOOD)) == []


def test_broken_link_and_anchor_are_reported(tmp_path):
    pages = dict(GOOD)
    pages["book/b.html"] = '<a href="missing.html">x</a><a href="a.html#nowhere">y</a><a href="#self">z</a>'
    problems = check_site(_site(tmp_path, pages))
    assert problems == ["book/b.html: broken link missing.html",
                        "book/b.html: broken anchor a.html#nowhere",
                        "book/b.html: broken anchor #self"]


def test_links_that_leave_the_site_are_broken(tmp_path):
    pages = dict(GOOD, **{"index.html": '<a href="../outside.html">x</a>'})
    (tmp_path.parent / "outside.html").write_text("")
    assert check_site(_site(tmp_path, pages)) == ["index.html: broken link ../outside.html"]


def test_external_scripts_styles_and_fonts_are_reported(tmp_path):
    pages = dict(GOOD)
    pages["c.html"] = ('<script src="https://cdn.example.org/x.js"></script>'
                       '<link rel="stylesheet" href="//cdn.example.org/x.css">'
                       '<link rel="preload" href="https://cdn.example.org/f.woff2" as="font">'
                       '<link rel="canonical" href="https://example.org/c.html">'
                       '<style>@font-face { src: url("https://fonts.example.org/f.woff2"); }</style>')
    pages["_static/t.css"] = "@import 'https://fonts.example.org/css';"
    problems = check_site(_site(tmp_path, pages))
    assert problems == [
        "c.html: loads <script src=https://cdn.example.org/x.js> from another server",
        "c.html: loads <link href=//cdn.example.org/x.css> from another server",
        "c.html: loads <link href=https://cdn.example.org/f.woff2> from another server",
        "c.html: loads <style> https://fonts.example.org/f.woff2 from another server",
        "_static/t.css: loads https://fonts.example.org/css from another server",
    ]


def test_build_reports_a_failed_build_or_a_broken_site(tmp_path, monkeypatch, capsys):
    from types import SimpleNamespace

    from seqlab import book

    calls = []
    monkeypatch.setattr(book.subprocess, "run", lambda command, cwd: calls.append(command) or SimpleNamespace(returncode=1))
    assert book.main(["build", "--output", str(tmp_path), "--no-generate"]) == 1
    assert "warnings are errors" in capsys.readouterr().err
    assert calls[0][-8:] == ["build", str(book.ROOT), "--all", "-W", "-n", "--keep-going", "--path-output", str(tmp_path)]

    monkeypatch.setattr(book.subprocess, "run", lambda command, cwd: SimpleNamespace(returncode=0))
    _site(tmp_path / "_build" / "html", {"index.html": '<a href="nowhere.html">x</a>'})
    assert book.main(["build", "--output", str(tmp_path), "--no-generate"]) == 1
    assert "index.html: broken link nowhere.html" in capsys.readouterr().err
