"""axe-core in the browser: every page a test visits must be checked and free of WCAG 2.1 A/AA violations.

``PageGuard`` watches a page: each main-frame navigation is recorded as a visit, every document
response with a 5xx status and every uncaught script error is kept. ``checked(page)`` runs axe-core
on the page as it is now and marks the current visit as checked; at the end of the test
``PageGuard.assert_complete()`` fails for every visit nobody checked.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag

from django.conf import settings
from playwright.sync_api import Frame, Page, Response

AXE_JS = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # skip collecting details of passes: faster, same violations
}
AXE_RUN = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: JSON.stringify(n.target), summary: n.failureSummary || ""})),
  }));
}"""

_GUARDS: weakref.WeakKeyDictionary[Page, PageGuard] = weakref.WeakKeyDictionary()


@dataclass
class Visit:
    url: str
    checked: bool = False


class PageGuard:
    """Records what a page visits and what went wrong on the way."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.visits: list[Visit] = []
        self.server_errors: list[str] = []
        self.script_errors: list[str] = []
        page.on("framenavigated", self._navigated)
        page.on("response", self._responded)
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))
        _GUARDS[page] = self

    def _navigated(self, frame: Frame) -> None:
        if frame.parent_frame is not None or frame.url == "about:blank":
            return
        last = self.visits[-1].url if self.visits else None
        if last is not None and last != frame.url and urldefrag(last).url == urldefrag(frame.url).url:
            return  # only the #fragment changed: same document, nothing new to check
        self.visits.append(Visit(frame.url))

    def _responded(self, response: Response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame.parent_frame is None and response.status >= 500:
            self.server_errors.append(f"{response.status} {request.method} {response.url}")

    def mark_checked(self, url: str) -> None:
        if not self.visits or self.visits[-1].url != url:
            raise AssertionError(f"axe checked {url}, but the page's last recorded navigation was {self.visits[-1:]}")
        self.visits[-1].checked = True

    def assert_complete(self) -> None:
        problems = [f"page visited but never checked with axe: {v.url}" for v in self.visits if not v.checked]
        problems += [f"server error: {e}" for e in self.server_errors]
        problems += [f"uncaught script error: {e}" for e in self.script_errors]
        if problems:
            raise AssertionError("\n".join(problems))


def checked(page: Page) -> Page:
    """Run axe-core on the page as it is now; fail with a readable list of violations."""
    guard = _GUARDS.get(page)
    if guard is None:
        raise AssertionError("checked() needs a page from the e2e fixtures (page / browse)")
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        if not AXE_JS.exists():
            raise AssertionError(f"{AXE_JS} is missing: install the npm packages (npm ci, or make install-dev)")
        page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_OPTIONS)
    guard.mark_checked(page.url)
    if guard.server_errors:
        raise AssertionError(f"server error: {guard.server_errors}")
    if violations:
        raise AssertionError(format_violations(page.url, violations))
    return page


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core found {len(violations)} WCAG violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)
