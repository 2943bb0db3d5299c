"""Browser fixtures: Debian's Chromium driven by Playwright against the live server, axe on every page."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

from accordo.e2e.axe import PageGuard

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop in the test thread; the ORM must still work there.

    Session-wide on purpose: the browser (and its loop) lives until the session ends, so tests that
    run after these ones in the same session need it too.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _one_request_at_a_time(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the live server handle one request at a time (the browser still sends them together).

    With SQLite in memory, every server thread shares the test's one connection, which cannot take
    two transactions at once ("database table is locked" when three uploads arrive together). A
    deployed server has a connection per thread and waits for SQLite's lock instead.
    """
    if "live_server" not in request.fixturenames:
        return
    httpd = request.getfixturevalue("live_server").thread.httpd
    app = httpd.get_app()
    lock = threading.Lock()

    def serial(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with lock:
            return app(environ, start_response)  # type: ignore[no-any-return]

    monkeypatch.setattr(httpd, "application", serial)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a browser downloaded by ``playwright install``."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The app sends a strict CSP; bypassing it lets the test inject axe-core as a script tag.
    return {
        **browser_context_args,
        "bypass_csp": True,
        "locale": "nl-NL",
        "timezone_id": "Europe/Amsterdam",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def browse(new_context: Callable[..., Any], request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Open a page in a fresh browser context (its own cookies: one person).

    Every page it visits must be passed to ``checked()``; at teardown an unchecked visit, a 5xx
    response or an uncaught script error fails the test.
    """
    guards: list[PageGuard] = []

    def open_page() -> Page:
        page = new_context().new_page()
        page.set_default_timeout(10_000)
        guards.append(PageGuard(page))
        return page

    yield open_page
    if not request.node.stash.get(_CALL_FAILED, False):
        for guard in guards:
            guard.assert_complete()


@pytest.fixture
def page(browse: Callable[[], Page]) -> Page:
    """pytest-playwright's page, guarded like every page of ``browse``."""
    return browse()


@pytest.fixture(scope="session")
def playwright(playwright: Any) -> Iterator[Any]:
    """Close the connections opened beside Playwright's event loop before the test DB is dropped."""
    yield playwright
    from django.db import connections

    connections.close_all()
