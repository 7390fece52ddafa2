"""Helpers of the browser tests: what a page did wrong while it was open."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: the window of every page: a laptop screen
VIEWPORT = {"width": 1280, "height": 900}


@dataclass
class PageLog:
    """Console errors, script errors, failed requests and requests that left the site, of one page."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    in_flight: set = field(default_factory=set)   #: requests sent and not yet finished

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"script error: {m}" for m in self.page_errors]
                + [f"failed request: {m}" for m in self.failed_requests]
                + [f"request outside the site: {m}" for m in self.outside_requests])


def is_local(url: str, base: str) -> bool:
    """Requests to the served site and ``data:``/``blob:``/``about:`` URLs stay on the machine."""
    return url.startswith(base) or urlsplit(url).scheme in ("data", "blob", "about")


def watch(page, base_url: str) -> PageLog:
    """Start recording what goes wrong on ``page`` (call before ``page.goto``)."""
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(f"{m.text} ({m.location.get('url', '')})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: log.failed_requests.append(f"{r.url} ({r.failure})")
            if is_local(r.url, base_url) else None)
    page.on("response", lambda r: log.failed_requests.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    page.on("request", lambda r: log.outside_requests.append(r.url) if not is_local(r.url, base_url) else None)
    page.on("request", lambda r: log.in_flight.add(r))
    page.on("requestfinished", lambda r: log.in_flight.discard(r))
    page.on("requestfailed", lambda r: log.in_flight.discard(r))
    return log


def settle(page, log: PageLog, timeout: float = 10.0) -> None:
    """Wait until MathJax has typeset the page, its fonts are loaded and no request is pending."""
    page.evaluate("async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise) "
                  "await MathJax.startup.promise; await document.fonts.ready; }")
    waited = 0.0
    while log.in_flight and waited < timeout:
        page.wait_for_timeout(50)
        waited += 0.05
