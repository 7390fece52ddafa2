"""seqlab.sphinxext, the site's Sphinx extension, on stand-ins for Sphinx's objects
(the strict build in test_site.py runs it for real, in a separate process)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from seqlab import sphinxext


class _Js(SimpleNamespace):
    """Stands for sphinx's _JavaScript: a filename and attributes."""


class _App:
    def __init__(self, srcdir=Path("/repo"), outdir=Path("/out"), fmt="html", theme=None, docs=("book/ch",)):
        self.srcdir, self.outdir = srcdir, outdir
        self.builder = SimpleNamespace(format=fmt)
        self.config = SimpleNamespace(html_theme_options=theme if theme is not None else {
            "repository_url": "https://github.com/o/r/", "repository_branch": "dev", "path_to_docs": ""})
        self.env = SimpleNamespace(all_docs=set(docs), doc2path=lambda name: srcdir / f"{name}.ipynb")
        self.js, self.connected = [], []

    def add_js_file(self, filename, **kwargs):
        self.js.append((filename, kwargs))

    def connect(self, event, handler, priority=500):
        self.connected.append((event, handler.__name__, priority))


def test_setup_connects_every_handler():
    app = _App()
    assert sphinxext.setup(app)["parallel_read_safe"]
    assert [c[:2] for c in app.connected] == [
        ("config-inited", "use_vendored_assets"), ("builder-inited", "copy_vendored_assets"),
        ("build-finished", "give_the_root_redirect_an_icon"), ("html-page-context", "locate_widget_manager"), ("html-page-context", "point_downloads_at_repository"),
        ("html-page-context", "drop_duplicate_scripts")]


def test_vendored_assets_replace_the_cdn():
    config = SimpleNamespace(mathjax_path="https://cdn/mathjax.js", nb_ipywidgets_js={"https://cdn/x.js": {}},
                             html_context=None, html_theme_options={})
    sphinxext.use_vendored_assets(_App(), config)
    assert config.mathjax_path == "vendor/mathjax/tex-mml-chtml.js"
    assert config.nb_ipywidgets_js == {"vendor/requirejs/require.js": {}, "vendor/html-manager/embed-amd.js": {}}
    assert config.html_context == {"default_mode": "auto"}
    assert config.html_theme_options == {"navbar_persistent": []}


def test_the_root_redirect_gets_the_site_icon(tmp_path):
    app = _App(outdir=tmp_path)
    app.config.html_favicon = "book/favicon.svg"
    redirect = '<meta http-equiv="Refresh" content="0; url=book/welcome.html" />\n'
    (tmp_path / "index.html").write_text(redirect, encoding="utf-8")
    sphinxext.give_the_root_redirect_an_icon(app, None)
    sphinxext.give_the_root_redirect_an_icon(app, None)  # idempotent
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert text == '<link rel="icon" href="_static/favicon.svg" />\n' + redirect
    sphinxext.give_the_root_redirect_an_icon(app, RuntimeError("build failed"))
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == text


def test_vendored_packages_are_copied_with_their_licences(tmp_path):
    app = _App(srcdir=sphinxext.Path(__file__).resolve().parents[2], outdir=tmp_path)
    sphinxext.copy_vendored_assets(app)
    vendor = tmp_path / "_static" / "vendor"
    assert sorted(p.name for p in vendor.iterdir()) == ["html-manager", "mathjax", "requirejs"]
    for package in sphinxext.VENDOR_PACKAGES:
        assert (vendor / package / "LICENSE").is_file()
    assert (tmp_path / "_static" / sphinxext.MATHJAX).is_file()
    assert (tmp_path / "_static" / sphinxext.WIDGET_MANAGER).is_file()
    other = tmp_path / "latex"
    sphinxext.copy_vendored_assets(_App(srcdir=app.srcdir, outdir=other, fmt="latex"))
    assert not other.exists()


def test_widget_pages_tell_require_js_where_the_manager_is():
    app = _App()
    context = {"script_files": [_Js(filename="_static/vendor/html-manager/embed-amd.js", attributes={})],
               "pathto": lambda target, resource: f"../../{target}"}
    sphinxext.locate_widget_manager(app, "book/ch", "page.html", context, None)
    (filename, kwargs), = app.js
    assert filename is None and kwargs["priority"] == 100
    assert kwargs["body"].startswith(
        'var require = {paths: {"@jupyter-widgets/html-manager/dist": "../../_static/vendor/html-manager"}};')
    assert "mj.Hub = {Queue:" in kwargs["body"]
    plain = _App()
    sphinxext.locate_widget_manager(plain, "book/ch", "page.html", {"script_files": []}, None)
    assert plain.js == []


def test_duplicate_inline_scripts_are_dropped():
    a, b = _Js(filename=None, attributes={"body": "const X = 1"}), _Js(filename="", attributes={"body": "const X = 1"})
    c, d = _Js(filename="s.js", attributes={}), _Js(filename="s.js", attributes={})
    context = {"script_files": [a, c, b, d, _Js(filename=None, attributes={"body": "other"})]}
    sphinxext.drop_duplicate_scripts(None, "p", "page.html", context, None)
    assert [(js.filename, js.attributes.get("body")) for js in context["script_files"]] == \
        [(None, "const X = 1"), ("s.js", None), (None, "other")]
    sphinxext.drop_duplicate_scripts(None, "p", "page.html", {}, None)


def _buttons():
    return [{"label": "download-buttons", "buttons": [
        {"label": "download-notebook-button", "url": "../_sources/book/ch.ipynb"},
        {"label": "download-source-button", "url": "../_sources/book/ch.ipynb"},
        {"label": "download-pdf-button", "type": "javascript"}]},
        {"label": "fullscreen-button", "url": "_sources/not-a-download-group"}]


def test_download_links_point_at_the_repository():
    app = _App()
    assert sphinxext.repository_file_url(app, "book/ch") == "https://github.com/o/r/raw/dev/book/ch.ipynb"
    context = {"header_buttons": _buttons()}
    sphinxext.point_downloads_at_repository(app, "book/ch", "page.html", context, None)
    group, other = context["header_buttons"]
    assert group["buttons"] == [{"label": "download-source-button", "url": "https://github.com/o/r/raw/dev/book/ch.ipynb"},
                                {"label": "download-pdf-button", "type": "javascript"}]
    assert other == _buttons()[1]


def test_without_a_repository_the_source_links_are_dropped():
    app = _App(theme={})
    assert sphinxext.repository_file_url(app, "book/ch") is None
    context = {"header_buttons": _buttons()}
    sphinxext.point_downloads_at_repository(app, "book/ch", "page.html", context, None)
    assert context["header_buttons"][0]["buttons"] == [{"label": "download-pdf-button", "type": "javascript"}]
    generated = {"header_buttons": _buttons()}
    sphinxext.point_downloads_at_repository(app, "genindex", "page.html", generated, None)
    assert generated == {"header_buttons": _buttons()}
