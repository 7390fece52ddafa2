"""The website as readers use it, in Chromium: offline pages, typeset math, live widgets,
navigation, search, folded solutions, launch and download links.

Every page is visited once (the ``visits`` fixture) and the tests below read what that
visit recorded; the interactive tests open the pages they need again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from browser_tools import VIEWPORT, settle, watch

from seqlab import book

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
#: what a page reports about its math after MathJax has finished
MATH_REPORT = r"""() => {
  const main = document.querySelector('main') || document.body;
  const maths = [...main.querySelectorAll('.math')];
  const untypeset = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.trim().slice(0, 60));
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('pre, code, script, style, textarea, .highlight, mjx-container')) continue;
    if (/\\\(|\\\[|\$\$|\\begin\{/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 80));
  }
  return {math: maths.length, containers: main.querySelectorAll('mjx-container').length, untypeset, raw,
          errors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 60)),
          mathjax: !!(window.MathJax && window.MathJax.startup)};
}"""


#: the next/previous links of the page and the links of the table of contents in the sidebar
NAVIGATION_LINKS = """() => {
  const href = sel => { const a = document.querySelector(sel); return a ? a.href : null; };
  return {next: href('a.right-next'), prev: href('a.left-prev'),
          sidebar: [...document.querySelectorAll('.bd-sidebar-primary a.reference.internal')].map(a => a.href),
          header: [...document.querySelectorAll('.article-header-buttons a')].map(a => a.href)};
}"""


def _first_chapter() -> str:
    return next(p for p in _toc_pages() if p.startswith("book/part"))


#: the vendored scripts (served from ``_static/vendor/``) and a piece of their URL
VENDORED = {"MathJax": "_static/vendor/mathjax/tex-mml-chtml.js", "require.js": "_static/vendor/requirejs/require.js",
            "widget manager": "_static/vendor/html-manager/embed-amd.js"}
#: the screenshots kept as test artifacts (name -> page)
SCREENSHOTS = {"welcome": "book/welcome.html", "notation": "book/notation.html", "explorers": "book/explorers.html"}


@dataclass
class Visit:
    """What one visit of a page found."""

    path: str
    problems: list[str]
    math: dict
    widgets: int
    solutions: int
    widget_errors: list[str] = field(default_factory=list)
    links: dict = field(default_factory=dict)   #: "next", "prev" (or None) and "sidebar": site paths
    requested: list[str] = field(default_factory=list)  #: every URL the page asked for


def site_pages(html: Path) -> list[str]:
    """Every HTML page of the site (not the theme's templates under ``_static``)."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if p.relative_to(html).parts[0] != "_static")


def _redirect(html: Path, path: str) -> str | None:
    """Where a redirect page (``<meta http-equiv="refresh">``, e.g. the root index.html) leads."""
    match = re.search(r'http-equiv="refresh"[^>]*url=([^"]+)"', (html / path).read_text(encoding="utf-8"), re.I)
    return match.group(1) if match else None


def _visit(browser, base_url: str, html: Path, path: str, artifacts: Path) -> Visit:
    """Open one page as a first-time reader does (a fresh browser context: no storage, no cache)."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    page = context.new_page()
    log = watch(page, base_url)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        target = _redirect(html, path)
        page.goto(base_url + path, wait_until="load")
        if target:
            page.wait_for_url(f"**/{target}")
            page.wait_for_load_state("load")
        settle(page, log)
        views = page.locator(WIDGET_VIEW).count()
        if views:
            page.wait_for_function(f"() => document.querySelectorAll('.widget-subarea').length >= {views}",
                                   timeout=20_000)
            settle(page, log)
        math = page.evaluate(MATH_REPORT)
        text = page.locator("body").inner_text()
        widget_errors = re.findall(r"(Error displaying widget[^\n]*|Could not create a model[^\n]*)", text)
        problems = log.problems() + _icon_problems(page, context)
        if target:  # a redirect page is left at once: what it was still loading is cancelled, not failed
            problems = [p for p in problems if not p.endswith("(net::ERR_ABORTED)")]
        links = page.evaluate(NAVIGATION_LINKS)
        links = {key: value if key == "header" else _site_path(value, base_url) for key, value in links.items()}
        if path in SCREENSHOTS.values():
            name = next(n for n, p in SCREENSHOTS.items() if p == path)
            page.screenshot(path=str(artifacts / f"{name}.png"))
        return Visit(path, problems, math, views, page.locator("div.solution").count(), widget_errors, links,
                     requested)
    finally:
        context.close()


def _icon_problems(page, context) -> list[str]:
    """A page without ``<link rel="icon">`` makes the browser ask for ``/favicon.ico`` (a 404, outside
    the site's folder when it is served under a path); the request is not visible to the page's events."""
    icon = page.evaluate("() => { const l = document.querySelector('link[rel~=icon]'); return l ? l.href : null; }")
    if not icon:
        return ["no <link rel=icon>: the browser requests /favicon.ico, which the site does not have"]
    status = context.request.get(icon).status
    return [] if status == 200 else [f"failed request: {icon} (HTTP {status}, the page's icon)"]


def _site_path(value, base_url: str):
    """A URL (or a list of them) as a path of the site, without the fragment."""
    if isinstance(value, list):
        return [_site_path(v, base_url) for v in value]
    return value.split("#")[0].removeprefix(base_url) if value else None


@pytest.fixture(autouse=True)
def _chromium_first(browser):
    """Ask for the browser before anything else, so that a missing Chromium skips before the site is built."""


@pytest.fixture(scope="module")
def visits(browser, base_url, site_html, artifacts) -> dict[str, Visit]:
    """Every page, visited once; the pages of :data:`SCREENSHOTS` are photographed on the way."""
    return {path: _visit(browser, base_url, site_html, path, artifacts) for path in site_pages(site_html)}


def _toc_pages() -> list[str]:
    """The pages in reading order, from ``_toc.yml``: the root, then every file of every part."""
    toc = yaml.safe_load((book.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return [f + ".html" for f in files]


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}:\n    " + "\n    ".join(items) for page, items in problems.items())


# --- every page ---------------------------------------------------------------------------------

def test_every_page_of_the_table_of_contents_is_built(visits):
    missing = [p for p in _toc_pages() if p not in visits]
    assert not missing, f"pages of _toc.yml missing from the site: {missing}"


def test_every_page_loads_offline_without_errors(visits):
    problems = {path: v.problems + v.widget_errors for path, v in visits.items() if v.problems or v.widget_errors}
    assert not problems, "\n" + _report(problems)


def test_math_is_typeset_on_every_page(visits):
    problems = {}
    for path, v in visits.items():
        m = v.math
        found = ([f"{len(m['untypeset'])} of {m['math']} formulas not typeset, e.g. {m['untypeset'][:2]}"]
                 if m["untypeset"] else [])
        found += [f"raw TeX left in the text: {t!r}" for t in m["raw"][:3]]
        found += [f"MathJax error: {e!r}" for e in m["errors"][:3]]
        if m["math"] and not m["mathjax"]:
            found.append("the page has math but MathJax did not load")
        if found:
            problems[path] = found
    assert not problems, "\n" + _report(problems)
    math_pages = [p for p, v in visits.items() if v.math["math"]]
    assert "book/notation.html" in math_pages and len(math_pages) >= 3
    assert all(visits[p].math["containers"] >= visits[p].math["math"] for p in math_pages)


def test_vendored_scripts_load_only_where_needed(visits):
    """require.js and the widget manager only on pages with widgets, MathJax only where there is math."""
    wrong = {}
    for path, v in visits.items():
        loaded = {name for name, script in VENDORED.items() if any(script in url for url in v.requested)}
        widget_scripts = {"require.js", "widget manager"} & loaded
        if v.widgets and widget_scripts != {"require.js", "widget manager"}:
            wrong[path] = [f"has widgets but loads only {sorted(widget_scripts)}"]
        if not v.widgets and widget_scripts:
            wrong[path] = [f"has no widget but loads {sorted(widget_scripts)}"]
        if "MathJax" in loaded and not (v.math["math"] or v.widgets):
            wrong.setdefault(path, []).append("loads MathJax without math")
    assert not wrong, "\n" + _report(wrong)
    assert any(v.widgets for v in visits.values()) and any(v.math["math"] for v in visits.values())


# --- widgets ------------------------------------------------------------------------------------

def _widget_pages(visits) -> list[str]:
    pages = [p for p, v in visits.items() if v.widgets]
    assert "book/explorers.html" in pages, "the explorers page shows no widget"
    return pages


def _move(page, control) -> None:
    """Move a slider one step (or back from its end), or press a toggle button that is not selected."""
    handle = control.locator(".noUi-handle")
    if handle.count():
        before = control.locator(".widget-readout").inner_text()
        handle.focus()
        page.keyboard.press("ArrowRight")
        if control.locator(".widget-readout").inner_text() == before:
            page.keyboard.press("ArrowLeft")
    else:
        control.locator("button.widget-toggle-button:not(.mod-active)").first.click()


def _changes(page, locator, before: str, timeout: float = 5.0) -> bool:
    """Whether the text of ``locator`` differs from ``before`` within ``timeout`` seconds (views render async)."""
    for _ in range(int(timeout / 0.1)):
        if locator.inner_text() != before:
            return True
        page.wait_for_timeout(100)
    return False


def test_every_widget_control_changes_what_is_shown(visits, open_page):
    """No dead controls: on every page with widgets, every slider and toggle changes its widget's view."""
    dead = {}
    for path in _widget_pages(visits):
        page, log = open_page(path)
        page.wait_for_function(f"() => document.querySelectorAll('.widget-subarea').length >= {visits[path].widgets}")
        controls = page.locator(".widget-slider, .widget-toggle-buttons")
        assert controls.count(), f"{path}: widgets without a control"
        for k in range(controls.count()):
            control = controls.nth(k)
            control.scroll_into_view_if_needed()
            box = control.locator("xpath=ancestor::div[contains(@class, 'widget-subarea')][1]")
            before = box.inner_text()
            _move(page, control)
            if not _changes(page, box, before):
                dead.setdefault(path, []).append(f"control {k + 1}: {control.inner_text()[:60]!r}")
        assert not log.problems(), f"{path}: {log.problems()}"
    assert not dead, "controls that change nothing:\n" + _report(dead)


def _explorer(page, title: str):
    explorer = page.locator(".seqlab-explorer", has_text=title)
    expect(explorer).to_have_count(1)
    explorer.scroll_into_view_if_needed()
    return explorer


def _slide(page, explorer, key: str, which: int = 0) -> str:
    """Press ``key`` on a slider of ``explorer``; return the value its readout then shows."""
    explorer.locator(".noUi-handle").nth(which).focus()
    page.keyboard.press(key)
    return explorer.locator(".widget-readout").nth(which).inner_text().strip()


def test_explorers_follow_their_controls(open_page, artifacts):
    """Each explorer of the explorers page shows the view of the values its controls are set to."""
    page, log = open_page("book/explorers.html")
    expect(page.locator(".seqlab-explorer")).to_have_count(4)

    stepper = _explorer(page, "Stepping an RNN through time")
    last = _slide(page, stepper, "End")
    expect(stepper.locator(".seqlab-readout").first).to_contain_text(f"t = {last} of")
    assert int(last) > 1
    assert _slide(page, stepper, "Home") == "1"
    expect(stepper.locator(".seqlab-readout").first).to_contain_text("t = 1 of")

    gates = _explorer(page, "Inside the gates")
    gates.get_by_role("button", name="GRU", exact=True).click()
    gates.get_by_role("button", name="never write", exact=True).click()
    expect(gates.locator(".seqlab-readout")).to_contain_text("GRU on “never write”")
    expect(gates.locator(".seqlab-readout")).not_to_contain_text("Γo")  # the GRU has no output gate
    gates.get_by_role("button", name="LSTM", exact=True).click()
    expect(gates.locator(".seqlab-readout")).to_contain_text("LSTM on “never write”")
    expect(gates.locator(".seqlab-readout")).to_contain_text("Γo")

    vanishing = _explorer(page, "Vanishing and exploding gradients")
    rho = _slide(page, vanishing, "Home", 0)
    k = _slide(page, vanishing, "End", 1)
    expect(vanishing.locator(".seqlab-readout")).to_contain_text(f"ρ(Waa) = {rho}, k = {k}:")
    expect(vanishing.locator(".seqlab-readout")).to_contain_text("(vanishing)")

    sampler = _explorer(page, "Sampling with temperature")
    assert _slide(page, sampler, "Home") == "0"
    expect(sampler.locator(".seqlab-readout").first).to_contain_text("τ = 0:")
    samples = sampler.locator(".seqlab-samples").inner_text().split()
    assert len(samples) > 1 and len(set(samples)) == 1, "at τ = 0 every sample is the argmax"
    tau = _slide(page, sampler, "End")
    expect(sampler.locator(".seqlab-readout").first).to_contain_text(f"τ = {tau}:")
    assert len(set(sampler.locator(".seqlab-samples").inner_text().split())) > 1

    stepper.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "explorers-after-input.png"))
    assert not log.problems(), log.problems()


# --- reading the book -------------------------------------------------------------------------

def test_next_and_previous_links_walk_the_table_of_contents(visits):
    expected = _toc_pages()
    walked = [expected[0]]
    while visits[walked[-1]].links["next"] and len(walked) <= len(expected):
        walked.append(visits[walked[-1]].links["next"])
    assert walked == expected, "following the next links"
    back = [expected[-1]]
    while visits[back[-1]].links["prev"] and len(back) <= len(expected):
        back.append(visits[back[-1]].links["prev"])
    assert back == expected[::-1], "following the previous links"
    for path in expected:
        assert visits[path].links["sidebar"] == expected, f"{path}: the sidebar does not list the table of contents"


def test_clicking_next_and_previous(open_page, base_url):
    first, second = _toc_pages()[:2]
    page, log = open_page(first)
    page.locator("a.right-next").first.click()
    page.wait_for_url(base_url + second)
    page.locator("a.left-prev").first.click()
    page.wait_for_url(base_url + first)
    assert not log.problems(), log.problems()


def test_search_finds_pages(open_page):
    page, log = open_page("book/welcome.html")
    assert page.locator("button.search-button-field:visible").count() == 1, "one search field, in the sidebar"
    page.locator("button.search-button-field").first.click()
    field = page.locator("input[name=q]:visible").first
    field.fill("spectral radius")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=20_000)
    links = [a.get_attribute("href") for a in page.locator("#search-results ul.search li > a").all()]
    assert any("explorers" in link for link in links), links
    page.locator("#search-results ul.search li > a").first.click()
    page.wait_for_load_state("load")
    assert "spectral radius" in page.locator("main").inner_text().lower()
    assert not log.problems(), log.problems()


def test_exercise_solutions_are_folded_until_opened(visits, open_page):
    pages = [p for p, v in visits.items() if v.solutions]
    assert pages, "no page has an exercise solution"
    page, log = open_page(pages[0])
    solution = page.locator("div.solution").first
    solution.scroll_into_view_if_needed()
    body = solution.locator(":scope > :not(.admonition-title)")
    assert solution.locator(".admonition-title").is_visible()
    assert body.count() and not any(b.is_visible() for b in body.all()), "a solution is shown unfolded"
    solution.locator(".admonition-title").click()
    page.wait_for_timeout(200)
    assert any(b.is_visible() for b in body.all()), "clicking the title does not unfold the solution"


def test_notebook_pages_offer_launch_and_download_links(visits, open_page):
    """Every notebook page: download the .ipynb, launch it in Colab or Binder, all from ``repository.url``."""
    config = yaml.safe_load((book.ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = config["repository"]["url"].rstrip("/")
    owner_name = repo.split("github.com/")[1]
    branch = config["repository"].get("branch", "main")
    notebooks = [p for p in _toc_pages() if (book.ROOT / p).with_suffix(".ipynb").is_file()]
    assert "book/explorers.html" in notebooks and len(notebooks) >= 2
    missing = {}
    for path in notebooks:
        source, hrefs = path.replace(".html", ".ipynb"), visits[path].links["header"]
        wanted = {"download": f"{repo}/raw/{branch}/{source}",
                  "Colab": f"https://colab.research.google.com/github/{owner_name}/blob/{branch}/{source}",
                  "Binder": f"https://mybinder.org/v2/gh/{owner_name}/{branch}?urlpath=lab/tree/{source}"}
        absent = [name for name, url in wanted.items() if url not in hrefs]
        if absent:
            missing[path] = [f"no {name} link" for name in absent]
    assert not missing, "\n" + _report(missing)
    page, log = open_page(notebooks[0])
    page.locator(".article-header-buttons .dropdown-download-buttons button").first.click()
    assert page.locator(".dropdown-download-buttons a", has_text=".ipynb").first.is_visible()
    page.locator(".article-header-buttons .dropdown-launch-buttons button").first.click()
    assert page.locator(".dropdown-launch-buttons a", has_text="Colab").first.is_visible()


def test_sources_and_assignment_solutions_are_not_served(site_html, context, base_url):
    response = context.request.get(base_url + "_sources/book/welcome.md.txt")
    assert response.status == 404
    lines = _solution_lines()
    assert lines, "no assignment solution found to look for"
    leaked = []
    for path in site_html.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".txt", ".ipynb", ".md", ".json", ".py"):
            text = path.read_text(encoding="utf-8", errors="replace")
            leaked += [f"{path.relative_to(site_html)}: {line!r}" for line in lines if line in text]
    assert not leaked, "assignment solutions reach the site:\n" + "\n".join(leaked[:10])


def _solution_lines() -> list[str]:
    """Distinctive code lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in the assignment sources."""
    import json

    lines = []
    for notebook in sorted((book.ROOT / "book" / "assignments" / "source").glob("*/*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            inside = False
            for line in "".join(cell["source"]).splitlines():
                if "### BEGIN SOLUTION" in line:
                    inside = True
                elif "### END SOLUTION" in line:
                    inside = False
                elif inside and len(line.strip()) >= 25 and not line.strip().startswith("#"):
                    lines.append(line.strip())
    return lines


def test_screenshots_of_three_pages(visits, artifacts):
    """Screenshots kept as test artifacts (taken during the visits): welcome, notation, explorers."""
    import matplotlib.image

    for name, path in SCREENSHOTS.items():
        assert path in visits
        image = matplotlib.image.imread(str(artifacts / f"{name}.png"))
        assert image.shape[:2] == (900, 1280) and image.std() > 0.05, f"{name}.png looks blank"
