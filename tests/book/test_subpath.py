"""The built book under a sub-path, as GitHub Pages serves a project site (https://<owner>.github.io/<repo>/).

A small server maps /codepipeline-lab/ to book/_build/html and answers 404 for anything else, so a
URL written from the site's root (/_static/..., /searchindex.js) fails loudly. Every page of the
table of contents, the search page with its index and the practice exam load in headless Chromium
with no HTTP error, no console error and no request outside the prefix; widgets render; and every
link and asset named in the pages resolves inside the prefix.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest

from test_book import PAGES

PREFIX = "/codepipeline-lab/"
WIDGET_STATE = 'script[type="application/vnd.jupyter.widget-state+json"]'


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site only under PREFIX; notes every answer of 400 or more."""

    failures: list[str]

    def _under_prefix(self) -> bool:
        path = urllib.parse.urlsplit(self.path).path
        if path == PREFIX.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", PREFIX)
            self.end_headers()
            return False
        if not path.startswith(PREFIX):
            self.send_error(404, f"outside {PREFIX}")
            return False
        self.path = "/" + self.path[len(PREFIX):]
        return True

    def do_GET(self):
        if self._under_prefix():
            super().do_GET()

    def do_HEAD(self):
        if self._under_prefix():
            super().do_HEAD()

    def log_request(self, code="-", size="-"):
        if isinstance(code, int) and code >= 400 or str(code).startswith(("4", "5")):
            self.failures.append(f"{int(code)} {self.requestline}")

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def served_under_prefix(directory, lifetime_seconds: int = 600):
    failures: list[str] = []
    handler = functools.partial(type("Handler", (_PrefixHandler,), {"failures": failures}), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    deadline = threading.Timer(lifetime_seconds, server.shutdown)
    deadline.daemon = True
    deadline.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}", failures
    finally:
        deadline.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def prefixed_site(built_book):
    with served_under_prefix(built_book["html"]) as (url, failures):
        yield url, failures


@pytest.fixture
def open_prefixed(browser, prefixed_site):
    site, _ = prefixed_site
    contexts = []

    def opener(path: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
        page.on("response", lambda r: page.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))

        def guard(route):
            if route.request.url.startswith(site) or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                page.problems.append(f"request outside {PREFIX}: {route.request.url}")
                route.abort()

        page.route("**/*", guard)
        page.goto(site + path, wait_until="networkidle")
        return page

    yield opener
    for context in contexts:
        context.close()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith(("#", "mailto:", "data:", "javascript:")):
                self.urls.add(value)


def test_the_prefix_root_opens_the_book(open_prefixed, prefixed_site):
    site, _ = prefixed_site
    page = open_prefixed("")
    assert page.url.startswith(site) and page.title(), page.url
    assert page.locator("nav.bd-links a").count() >= len(PAGES) - 1
    assert page.problems == [], page.problems


@pytest.mark.parametrize("name", PAGES + ["practice-exam"] * ("practice-exam" not in PAGES))
def test_every_page_works_under_the_prefix(open_prefixed, name):
    page = open_prefixed(f"{name}.html")
    if page.locator(WIDGET_STATE).count():
        page.wait_for_selector("fieldset[data-id]", timeout=15_000)   # the quiz widget rendered from the site's scripts
        assert "Error displaying widget" not in page.locator("main").inner_text()
    if name == "practice-exam":
        page.wait_for_selector("#cpx-practice-exam .cpx-setup", timeout=15_000)
        page.get_by_role("button", name="Start the exam").click()
        page.wait_for_selector("#cpx-practice-exam fieldset[data-id]")
    assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)"), f"{name}: an image did not load"
    assert page.problems == [], f"{name}: {page.problems}"


def test_search_finds_pages_with_the_prefixed_index(open_prefixed):
    page = open_prefixed("search.html?q=artifact")
    page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    first = page.locator("#search-results ul.search li a").first
    assert first.get_attribute("href") and "://" not in first.get_attribute("href")
    first.click()
    page.wait_for_load_state("networkidle")
    assert page.problems == [], page.problems


def test_every_link_and_asset_resolves_inside_the_prefix(built_book, prefixed_site):
    site, failures = prefixed_site
    html = built_book["html"]
    targets: dict[str, str] = {}
    for path in sorted(html.glob("*.html")):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        for url in parser.urls:
            absolute = urllib.parse.urljoin(site + path.name, url)
            if urllib.parse.urlsplit(absolute).netloc == urllib.parse.urlsplit(site).netloc:
                targets.setdefault(urllib.parse.urldefrag(absolute).url, path.name)
    outside = sorted(f"{page}: {url}" for url, page in targets.items() if not url.startswith(site))
    assert outside == [], f"links that leave {PREFIX}: {outside}"
    broken = []
    for url, page in sorted(targets.items()):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10):
                pass
        except urllib.error.HTTPError as error:
            broken.append(f"{page}: {url} ({error.code})")
    assert broken == [], broken
    assert len(targets) > 20
    assert failures == [], f"the server answered with errors: {failures}"
