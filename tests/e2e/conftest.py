"""Browser tests: Playwright (sync API) driving Debian's Chromium against a live server.

Every test gets a fresh browser context whose pages are watched: a console error, a failed
request or an HTTP error the test did not declare fails it. Each test's last page is saved as
a desktop and a phone screenshot in test-artifacts/screenshots/ (and a screenshot is taken
the moment a test fails); the folder is emptied once per run.

Without /usr/bin/chromium the tests skip (CI, which installs it, fails instead); without
node_modules/axe-core (``npm ci``) the accessibility tests do the same.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.helpers import AXE_SCRIPT, BASE_DIR

# Playwright's sync API runs an event loop in the main thread, and Django refuses ORM calls
# from a thread with a running loop. The test code is synchronous all the same.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = BASE_DIR / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def missing(message: str) -> None:
    """A tool the browser tests need is absent: CI must have it, a developer may skip."""
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- The browser ----------------------------------------------------------------------------


@pytest.fixture(scope="package", autouse=True)
def _migrated_data(django_db_setup, django_db_blocker) -> Iterator[dict[str, str]]:
    """Give every browser test the data that migrations create (groups, permissions).

    Browser tests need a transactional database (the live server reads what the test
    writes), which is emptied after each test; serialized rollback puts the migrated data
    back before the next. That restore needs empty tables, but a transactional test from
    elsewhere in the suite leaves fresh content types and permissions behind: so empty the
    tables before the browser tests, and put the migrated data back after them for the
    tests that follow. Yields each database's snapshot.
    """
    from django.core.management import call_command
    from django.db import connections

    snapshots = {
        c.alias: c._test_serialized_contents
        for c in connections.all()
        if hasattr(c, "_test_serialized_contents")
    }
    with django_db_blocker.unblock():
        for alias in snapshots:
            call_command(
                "flush", database=alias, interactive=False, inhibit_post_migrate=True, verbosity=0
            )
    yield snapshots
    with django_db_blocker.unblock():
        for alias, snapshot in snapshots.items():
            connections[alias].creation.deserialize_db_from_string(snapshot)


# One browser for the browser tests, which run one after another on one worker (one unit of
# work, tests/scheduling.py): Playwright's loop then counts as running only while browser
# tests run, never during the rest of the suite, and Chromium starts once, not per module.
@pytest.fixture(scope="package")
def browser(_migrated_data) -> Iterator:
    if not CHROMIUM.exists():
        missing(
            f"The browser tests need Debian's Chromium at {CHROMIUM}. "
            "Install Debian's Chromium: sudo apt-get install chromium"
        )
    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: this runs on small CI machines, often next to other test suites.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        # Once Playwright's loop counts as running in this thread, Django keeps the thread's
        # database connections in a new (per-context) store: new connection objects, which
        # lack the snapshot serialized rollback restores. Hand it over to them.
        for alias, snapshot in _migrated_data.items():
            connections[alias]._test_serialized_contents = snapshot
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots(request) -> None:
    """Empty the screenshots folder once per run: by the first process of the run to start
    browser tests (xdist's workers share the folder, and a run id)."""
    workerinput = getattr(request.config, "workerinput", {})
    run = workerinput.get("testrunuid") or uuid.uuid4().hex
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    with open(SCREENSHOTS.parent / ".screenshots.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = SCREENSHOTS / ".run"
        if not marker.exists() or marker.read_text() != run:
            shutil.rmtree(SCREENSHOTS, ignore_errors=True)
            SCREENSHOTS.mkdir()
            marker.write_text(run)


@pytest.fixture(autouse=True)
def _site(live_server, django_db_serialized_rollback, settings) -> None:
    """Every browser test runs against the live server, with the groups and permissions that
    migrations create (serialized rollback restores them after each test's flush)."""
    settings.COMMENTS_FORM_MIN_SECONDS = 0  # the browser fills forms faster than a person
    settings.SERVE_MEDIA = True  # the live server serves uploaded images, as `make run` does
    # Anonymous pages come from the shared cache, as in production (the live server commits).
    settings.PAGE_CACHE_SECONDS = 300
    # The journeys below were written for deep pages; test_budget.py checks the default budget.
    settings.COMMENTS_MAX_DEPTH = 6
    settings.COMMENTS_REPLIES_SHOWN = 20


# --- Watching pages -------------------------------------------------------------------------


@dataclass
class Watch:
    """Console errors, failed requests and HTTP errors seen by one test's pages."""

    problems: list[str] = field(default_factory=list)
    # (status, URL pattern) pairs the test expects, such as a form re-rendered with errors.
    expected: list[tuple[int, re.Pattern]] = field(default_factory=list)
    pages: list = field(default_factory=list)

    def expect_status(self, status: int, url: str) -> None:
        """Allow responses with ``status`` for URLs containing ``url`` (a regex search)."""
        self.expected.append((status, re.compile(url)))

    def is_expected(self, status: int, url: str) -> bool:
        return any(s == status and pattern.search(url) for s, pattern in self.expected)

    def attach(self, page) -> None:
        self.pages.append(page)
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, page, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # Chromium logs every HTTP error response; those the test expects are not problems.
        status = re.search(r"status of (\d{3})", message.text)
        if status and self.is_expected(int(status.group(1)), url):
            return
        self.problems.append(f"console error on {page.url}: {message.text} ({url})")

    def _request_failed(self, request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # the page moved on before it finished (a favicon, say): not a failure
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _response(self, response) -> None:
        if response.status >= 400 and not self.is_expected(response.status, response.url):
            request = response.request
            self.problems.append(f"HTTP {response.status}: {request.method} {response.url}")


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def new_page(browser, live_server, watch, request) -> Iterator[Callable]:
    """``new_page(**context_options)``: a watched page in a fresh browser context.

    The last page opened is the journey's last page: it is photographed at the end.
    """
    contexts = []

    def open_page(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch.attach(page)
        return page

    yield open_page

    name = screenshot_name(request.node)
    if watch.pages and not watch.pages[-1].is_closed():
        save_journey_screenshots(watch.pages[-1], name)
    for context in contexts:
        context.close()
    assert not watch.problems, "The pages had problems:\n  " + "\n  ".join(watch.problems)


@pytest.fixture
def page(new_page):
    """A watched page with JavaScript on, at desktop size."""
    return new_page()


@pytest.fixture
def page_without_js(new_page):
    return new_page(java_script_enabled=False)


def screenshot_name(node) -> str:
    return re.sub(r"[^\w.-]+", "-", node.name).strip("-")


def save_journey_screenshots(page, name: str) -> None:
    try:
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    except Exception as error:  # a screenshot must never hide the test's own result
        print(f"Could not save screenshots for {name}: {error}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        watch = item.funcargs.get("watch")
        if watch is not None and watch.pages and not watch.pages[-1].is_closed():
            path = SCREENSHOTS / f"{screenshot_name(item)}-failure.png"
            try:
                watch.pages[-1].screenshot(path=path, full_page=True)
            except Exception as error:
                print(f"Could not save the failure screenshot: {error}")
            else:
                report.sections.append(("screenshot", str(path.relative_to(BASE_DIR))))
    return report


# --- Accessibility ---------------------------------------------------------------------------


@pytest.fixture
def axe_page(new_page):
    """``axe_page(**context_options)``: a page that may receive axe-core. The site's CSP
    allows only its own scripts, so these contexts (and no others) bypass CSP."""
    if not AXE_SCRIPT.exists():
        missing(
            f"The accessibility tests need axe-core in {AXE_SCRIPT.parent}. "
            "Install Node.js and npm, then run `npm ci` (or `make test`)."
        )

    def open_page(**options):
        return new_page(bypass_csp=True, **options)

    return open_page
