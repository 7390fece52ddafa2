"""Sphinx extension of the seqlab website: an offline site whose downloads come from one place.

* MathJax 3, require.js and the ipywidgets HTML manager are vendored in ``book/_vendor/``
  and copied to ``_static/vendor/`` of the build; ``mathjax_path`` and ``nb_ipywidgets_js``
  point there, so no page loads a script, style or font from a CDN. require.js and the
  widget manager are loaded only by pages that hold widget state (myst-nb decides that).
* On widget pages, require.js is told where the widget manager lives, so that the manager
  finds its fonts next to ``embed-amd.js`` whatever the depth of the page, and the widgets'
  MathJax 2 calls are forwarded to MathJax 3.
* ``html_copy_source`` is off (exercise solutions must not leak through ``_sources/``), so the
  theme's download links are pointed at the file in the repository instead
  (``repository.url`` of ``_config.yml`` is the one place the repository is named).
"""
from __future__ import annotations

import shutil
from pathlib import Path

#: where the vendored assets are, relative to the book root, and where they go under ``_static``
VENDOR_SOURCE = Path("book") / "_vendor"
VENDOR_TARGET = "vendor"
#: the vendored packages copied into the build (their licence files travel with them)
VENDOR_PACKAGES = ("mathjax", "requirejs", "html-manager")
MATHJAX = f"{VENDOR_TARGET}/mathjax/tex-mml-chtml.js"
REQUIREJS = f"{VENDOR_TARGET}/requirejs/require.js"
WIDGET_MANAGER = f"{VENDOR_TARGET}/html-manager/embed-amd.js"
#: the AMD module whose URL tells the widget manager where its fonts are
_WIDGET_MODULE = "@jupyter-widgets/html-manager/dist"
#: the widget controls typeset their labels with MathJax 2's ``MathJax.Hub.Queue``; the site
#: loads MathJax 3, so widget pages get a ``Hub`` that forwards to ``MathJax.typesetPromise``
_MATHJAX2_SHIM = (
    ' document.addEventListener("DOMContentLoaded", function () {'
    ' var mj = window.MathJax; if (mj && !mj.Hub) { mj.Hub = {Queue: function (job) {'
    ' if (mj.typesetPromise && job && job[2]) { mj.typesetPromise([job[2]]); } }}; } });'
)


def use_vendored_assets(app, config) -> None:
    """``config-inited``: serve MathJax and the widget scripts from ``_static/vendor/``."""
    config.mathjax_path = MATHJAX
    config.nb_ipywidgets_js = {REQUIREJS: {}, WIDGET_MANAGER: {}}
    # without a default colour mode the theme writes data-mode="" and logs a console error on
    # a reader's first visit ("Got invalid theme mode")
    config.html_context = {"default_mode": "auto", **(config.html_context or {})}
    # pydata-sphinx-theme 0.17 adds a header bar holding a second search field unless told not
    # to; the book theme already has one in the sidebar
    config.html_theme_options.setdefault("navbar_persistent", [])


def give_the_root_redirect_an_icon(app, exception) -> None:
    """``build-finished`` (after Jupyter Book writes the root ``index.html`` as a redirect to the first
    page): give that page the site's icon, or a browser landing on it asks for ``/favicon.ico`` (a 404)."""
    if exception is not None or app.builder.format != "html" or not app.config.html_favicon:
        return
    index = Path(app.outdir) / "index.html"
    text = index.read_text(encoding="utf-8") if index.is_file() else ""
    if "http-equiv" in text.lower() and 'rel="icon"' not in text:
        icon = f'<link rel="icon" href="_static/{Path(app.config.html_favicon).name}" />\n'
        index.write_text(icon + text, encoding="utf-8")


def copy_vendored_assets(app) -> None:
    """``builder-inited``: copy ``book/_vendor/<package>`` to ``<outdir>/_static/vendor/``."""
    if app.builder.format != "html":
        return
    source = Path(app.srcdir) / VENDOR_SOURCE
    target = Path(app.outdir) / "_static" / VENDOR_TARGET
    for package in VENDOR_PACKAGES:
        shutil.copytree(source / package, target / package, dirs_exist_ok=True)


def locate_widget_manager(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: on widget pages, map the manager's AMD path before require.js loads."""
    scripts = context.get("script_files") or []
    if not any(str(getattr(js, "filename", js)).endswith(WIDGET_MANAGER) for js in scripts):
        return
    url = context["pathto"](f"_static/{VENDOR_TARGET}/html-manager", 1)
    body = f'var require = {{paths: {{"{_WIDGET_MODULE}": "{url}"}}}};' + _MATHJAX2_SHIM
    app.add_js_file(None, body=body, priority=100)


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: keep one copy of each script (sphinx-thebe registers its inline
    configuration twice, and the second ``const`` declaration is a JavaScript error)."""
    scripts, seen = context.get("script_files"), set()
    if not scripts:
        return
    unique = []
    for js in scripts:
        key = (str(getattr(js, "filename", js) or ""), getattr(js, "attributes", {}).get("body"))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def repository_file_url(app, pagename: str) -> str | None:
    """URL of the page's source file in the repository named by ``repository.url``."""
    options = app.config.html_theme_options or {}
    repo = (options.get("repository_url") or "").rstrip("/")
    if not repo:
        return None
    branch = options.get("repository_branch") or "main"
    book = (options.get("path_to_docs") or "").strip("/")
    source = Path(app.env.doc2path(pagename)).relative_to(app.srcdir).as_posix()
    return "/".join(part for part in (repo, "raw", branch, book, source) if part)


def point_downloads_at_repository(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context`` (after the theme): download links lead to the repository, not ``_sources``."""
    if pagename not in app.env.all_docs:
        return
    url = repository_file_url(app, pagename)
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        kept = []
        for button in group.get("buttons", []):
            if "_sources" in str(button.get("url", "")):
                if url is None or button.get("label") == "download-notebook-button":
                    continue  # the page's own source is the notebook: one link is enough
                button = dict(button, url=url)
            kept.append(button)
        group["buttons"] = kept


def setup(app):
    app.connect("config-inited", use_vendored_assets)
    app.connect("builder-inited", copy_vendored_assets)
    app.connect("build-finished", give_the_root_redirect_an_icon, priority=900)
    app.connect("html-page-context", locate_widget_manager, priority=900)
    app.connect("html-page-context", point_downloads_at_repository, priority=900)
    app.connect("html-page-context", drop_duplicate_scripts, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
