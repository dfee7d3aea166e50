"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every document the browser loads in a test is checked with axe-core (ARCHITECTURE.md, "Tests"):

* ``context.add_init_script`` puts the vendored axe-core (read from disk, no network) and a small
  runner into every top-level document before the page's own scripts run. On ``load`` the runner
  calls ``axe.run`` and hands the violations to Python through ``context.expose_binding``.
* Each document first announces itself (URL and a random id), so a page the test leaves before
  axe is done is noticed and fails the test instead of going unchecked.
* The navigation helpers (``goto``, ``submit``, ``click_and_wait``, ``click_nav``) wait for the new
  document's report (``Browsing.settle``) so axe never races the test, and fail at once on console
  errors and uncaught page errors.
* ``Browsing.finish()`` (called at the end of a test, and again by the fixture's teardown) fails on
  every serious/critical violation from every page visited, grouped by rule, and on any page that
  was left before axe finished. Moderate/minor violations are printed as warnings.
* At 1366 px (the desktop viewport) every settled document is also checked for sideways scroll
  (``scrollWidth <= innerWidth``, issue 16); a page that scrolls fails the test at once.
* Every click, tap and check the test makes through Playwright (``Locator.click``/``tap``/``check``/
  ``uncheck``/``set_checked``, ``Page.click``/``tap``) is counted in ``Browsing.clicks``, so a core-job
  test can assert that its count does not grow (docs/KERNEOPGAVER.md). Typing into a field and
  choosing in a drop-down list (``fill``, ``select_option``) are not counted.

The Chromium binary is /usr/bin/chromium (override with BROBYGNING_CHROMIUM). Without it the tests
are skipped, unless CI=true, where they fail.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import re
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

import playwright.sync_api as playwright_sync_api
import pytest
from django.conf import settings as django_settings
from django.test.utils import override_settings

# Playwright's sync API runs an asyncio loop in the test thread; the ORM is used from fixtures there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("BROBYGNING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(django_settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
NO_SCROLL_WIDTH = 1366  # issue 16: no page scrolls sideways at this width
NO_SIDEWAYS_SCROLL = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# For the failure message: the outermost elements that reach past the window's right edge.
WIDEST_ELEMENTS = r"""
() => {
  const w = window.innerWidth, found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right <= w + 0.5 || r.width === 0) continue;
    if (found.some((f) => f.el.contains(el))) continue;
    found.push({el, right: Math.round(r.right)});
    if (found.length >= 5) break;
  }
  return found.map(({el, right}) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "")
    + " (right edge " + right + ")");
}
"""
HERE = Path(__file__).resolve().parent

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}

# Runs in every document before its own scripts. Only the top-level document is checked.
AXE_RUNNER = r"""
(() => {
  if (window.top !== window || !/^https?:/.test(location.protocol)) return;
  const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
  window.__axeDocId = id;
  window.__axeDone = false;
  const report = (payload) => window.__brobygningAxe(JSON.stringify({id, url: location.href, ...payload}));
  // Finite CSS transitions/animations (a hover fade, a collapsing menu) skew colour contrast; wait
  // for them, but never more than two seconds.
  const quiet = () => Promise.race([
    Promise.allSettled(document.getAnimations()
      .filter((a) => Number.isFinite(a.effect && a.effect.getComputedTiming().endTime))
      .map((a) => a.finished)),
    new Promise((resolve) => setTimeout(resolve, 2000)),
  ]);
  window.__axeCollect = async () => {
    await quiet();
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => n.target.join(" ")),
      summary: (v.nodes[0] && v.nodes[0].failureSummary || "").replace(/\s+/g, " ").slice(0, 300),
    }));
  };
  report({phase: "start"});
  window.addEventListener("load", () => {
    // Let load handlers (Bootstrap, htmx) run first.
    setTimeout(async () => {
      let payload;
      try {
        payload = {phase: "done", violations: await window.__axeCollect()};
      } catch (e) {
        payload = {phase: "done", error: String(e && e.stack || e)};
      }
      await report(payload);
      window.__axeDone = true;
    }, 0);
  });
})();
"""


# Runs in every document too: a Content-Security-Policy violation (an inline script or style, an
# eval, a resource from elsewhere) is reported to Python and fails the test like a console error.
CSP_LISTENER = r"""
(() => {
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__brobygningCsp(JSON.stringify({
      url: location.href, directive: e.effectiveDirective || e.violatedDirective,
      blocked: e.blockedURI, sample: (e.sample || "").slice(0, 80), line: e.lineNumber,
    }));
  }, true);
})();
"""


# --- Collection: mark, and skip (or fail in CI) without Chromium ------------------------------------


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True, scope="session")
def _require_chromium():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium); the browser tests need it."
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)


# --- Playwright and Django wiring ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs in Playwright calls go to the live server.

    Also replaces pytest-playwright's own ``base_url`` fixture, a method on a plugin class that
    pytest 9 warns about (PytestRemovedIn10Warning).
    """
    return live_server.url


@pytest.fixture(autouse=True, scope="session")
def _plain_http_live_server():
    """The live server speaks plain HTTP on localhost, while production settings (DEBUG off) want HTTPS.

    Session-scoped and autouse so it is in place before ``live_server`` builds its handler:
    SecurityMiddleware reads SECURE_SSL_REDIRECT once, when it is instantiated.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
    ):
        yield


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


# --- The axe / console checker ------------------------------------------------------------------------


@dataclass
class _Doc:
    url: str
    done: bool = False
    violations: list = field(default_factory=list)
    error: str | None = None


class Browsing:
    """A Playwright page whose every document is checked with axe-core, plus console/page errors."""

    def __init__(self, page, base_url: str, viewport: str):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.viewport = viewport
        self.is_phone = viewport == "phone"
        self.docs: dict[str, _Doc] = {}
        self.console_errors: list[str] = []
        self.csp_violations: list[str] = []
        self.finished = False
        self.clicks = 0  # every click/tap/check the test makes (see _count_clicks)
        self.click_log: list[str] = []  # what each counted click was on, for a failure message
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror on {page.url}: {exc}"))

    # Called from the page through the exposed binding.
    def _on_report(self, _source, raw: str):
        data = json.loads(raw)
        doc = self.docs.setdefault(data["id"], _Doc(url=data["url"]))
        if data["phase"] == "done":
            doc.done = True
            doc.violations = data.get("violations", [])
            doc.error = data.get("error")

    def _on_csp(self, _source, raw: str):
        v = json.loads(raw)
        line = (f"CSP violation on {v['url']}: {v['directive']} blocked {v['blocked'] or 'inline'}"
                f" (line {v['line']}) {v['sample']!r}")
        self.csp_violations.append(line)
        self.console_errors.append(line)

    def _on_console(self, msg):
        loc = msg.location or {}
        if (loc.get("url") or "").endswith("/favicon.ico"):
            # Chromium asks for /favicon.ico on its own; the pages do not reference it.
            return
        if msg.type == "error":
            where = f" ({loc.get('url')}:{loc.get('lineNumber')})" if loc.get("url") else ""
            self.console_errors.append(f"console error on {self.page.url}: {msg.text}{where}")

    # --- waiting and asserting -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def settle(self, timeout: float = 15_000) -> None:
        """Wait until axe has reported on the current document; fail at once on JS/console errors.

        Accessibility violations are collected and reported together by ``finish()``, so one run
        lists every page's problems instead of stopping at the first page.
        """
        self.page.wait_for_function("() => window.__axeDone === true", timeout=timeout)
        if self.console_errors:
            errors, self.console_errors = self.console_errors, []
            pytest.fail(f"[{self.viewport}] " + "\n".join(errors), pytrace=False)
        self.assert_no_sideways_scroll()

    def start_counting(self) -> None:
        """A core job starts here: count its clicks from zero."""
        self.clicks = 0
        self.click_log = []

    def assert_clicks_at_most(self, job: str, budget: dict[str, int]) -> None:
        """The job took no more clicks/taps than it does today (docs/KERNEOPGAVER.md)."""
        if log := os.environ.get("BROBYGNING_KLIK_LOG"):  # for re-measuring docs/KERNEOPGAVER.md
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{job} [{self.viewport}]: {self.clicks}\n  " + "\n  ".join(self.click_log) + "\n")
        assert self.clicks <= budget[self.viewport], (
            f"{job} took {self.clicks} clicks/taps at {self.viewport}, more than the {budget[self.viewport]} "
            "it takes today (docs/KERNEOPGAVER.md):\n  " + "\n  ".join(self.click_log)
        )

    def assert_no_sideways_scroll(self) -> None:
        """At 1366 px no page may scroll sideways (issue 16). Checked on every settled document."""
        size = self.page.viewport_size
        if not size or size["width"] != NO_SCROLL_WIDTH:
            return
        scroll_width, inner_width = self.page.evaluate(NO_SIDEWAYS_SCROLL)
        if scroll_width > inner_width:
            wide = self.page.evaluate(WIDEST_ELEMENTS)
            pytest.fail(
                f"[{self.viewport}] {self.page.url} scrolls sideways at {inner_width} px: scrollWidth "
                f"{scroll_width}. Elements reaching past the right edge: {wide}",
                pytrace=False,
            )

    def finish(self) -> None:
        """End of test: check the current document, then fail on anything found on any page."""
        if self.finished:
            return
        self.finished = True
        problems = []
        if not self.page.is_closed():
            try:
                self.page.wait_for_function("() => window.__axeDone === true", timeout=15_000)
            except Exception as exc:  # noqa: BLE001 - reported below as an unchecked page
                problems.append(f"Waiting for axe-core on {self.page.url} failed: {exc}")
        if not self.docs and self.page.url.startswith("http"):
            problems.append(f"axe-core never reported on {self.page.url}: the checker is not running")
        problems.extend(_axe_problems(self.docs.values()))
        problems.extend(self.console_errors)
        self.console_errors = []
        if problems:
            pytest.fail(f"[{self.viewport}]\n" + "\n".join(problems), pytrace=False)

    def check_now(self, label: str) -> None:
        """Check the current state again, e.g. after an htmx swap that loaded no new document.

        The result is reported by ``finish()`` like the page loads, under ``<url> (label)``.
        """
        self.settle()
        violations = self.page.evaluate("() => window.__axeCollect()")
        self.docs[f"extra-{len(self.docs)}"] = _Doc(
            url=f"{self.page.url} ({label})", done=True, violations=violations
        )

    @property
    def checked_urls(self) -> list[str]:
        return [doc.url for doc in self.docs.values() if doc.done]

    # --- navigation helpers that keep the check in step ------------------------------------------------

    def goto(self, path: str, *, allow_error: bool = False):
        response = self.page.goto(self.url(path))
        self._check_response(response, allow_error)
        self.settle()
        return response

    def click_and_wait(self, locator, *, allow_error: bool = False):
        """Click something that loads a new document (link or submit button) and check the new page."""
        with self.page.expect_navigation() as navigation:
            locator.click()
        response = navigation.value
        self._check_response(response, allow_error)
        self.settle()
        return response

    def _check_response(self, response, allow_error: bool) -> None:
        if response is None or response.status < 400 or (allow_error and response.status < 500):
            return
        title = self.page.title() if not self.page.is_closed() else ""
        pytest.fail(
            f"[{self.viewport}] HTTP {response.status} for {response.request.method} {response.url} ({title!r})",
            pytrace=False,
        )

    def submit(self, name: str = "Gem") -> None:
        self.click_and_wait(self.page.get_by_role("button", name=name, exact=True))

    def open_menu_if_collapsed(self) -> None:
        toggler = self.page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            self.page.locator("#hovedmenu.show").wait_for()

    def click_nav(self, name: str) -> None:
        """Click a link in the main menu, opening the collapsed menu first on small screens and the
        link's group (a koordinator's menus are grouped: Borgere, Fællesskaber, Forløb, …) if it is in one."""
        self.open_menu_if_collapsed()
        nav = self.page.get_by_role("navigation", name="Hovedmenu")
        # The name, or the name and a count badge ("Henvisninger 3 nye").
        navn = re.compile(rf"^\s*{re.escape(name)}(\s+\d+\+?\s+\w+)?\s*$")
        link = nav.get_by_role("link", name=navn, include_hidden=True)
        if not link.is_visible():
            # `has` is matched inside each <li>, so it is built from the page, not from `nav`.
            inner = self.page.get_by_role("link", name=navn, include_hidden=True)
            nav.locator("li.dropdown").filter(has=inner).locator(".dropdown-toggle").click()
            link.wait_for(state="visible")
        self.click_and_wait(link)


def _axe_problems(docs) -> list[str]:
    """Serious/critical violations (and unchecked pages) as failure lines; the rest printed as warnings.

    The same violation on many pages (say, in base.html) is listed once, with every page it is on.
    """
    problems: list[str] = []
    grouped: dict[tuple, tuple[list[str], list[str]]] = {}
    for doc in docs:
        if not doc.done:
            problems.append(
                f"{doc.url} was left before axe-core finished, so it was not checked "
                "(navigate with the Browsing helpers, or call settle())"
            )
        elif doc.error:
            problems.append(f"axe-core failed on {doc.url}: {doc.error}")
        for v in doc.violations:
            targets, paths = grouped.setdefault(
                (v["impact"], v["id"], v["help"], v.get("summary", "")), ([], [])
            )
            targets.extend(t for t in v["targets"] if t not in targets)
            paths.append(re.sub(r"^https?://[^/]+", "", doc.url))
    for (impact, rule, help_text, summary), (targets, paths) in grouped.items():
        shown = ", ".join(targets[:6]) + (f" … ({len(targets)} selectors)" if len(targets) > 6 else "")
        line = f"axe {impact} [{rule}] {help_text}\n    elements: {shown}\n    pages: {', '.join(paths)}"
        if summary:
            line += f"\n    first element: {summary}"
        if impact in BLOCKING_IMPACTS:
            problems.append(line)
        else:
            print(f"WARNING {line}")  # moderate/minor: shown with -s, or as captured output on failure
    return problems


_COUNTED = {"Locator": ("click", "dblclick", "tap", "check", "uncheck", "set_checked"), "Page": ("click", "tap")}


def _count_clicks(monkeypatch, browsings: dict) -> None:
    """Count every click/tap/check the test makes on a Browsing's page (issue 16: clicks per core job).

    ``check``/``uncheck``/``set_checked`` count only when they change the box (Playwright clicks only then).
    """
    for cls_name, methods in _COUNTED.items():
        cls = getattr(playwright_sync_api, cls_name)
        for name in methods:
            original = getattr(cls, name)

            def counted(self, *args, _original=original, _name=name, _cls=cls_name, **kwargs):
                page = self if _cls == "Page" else self.page
                b = browsings.get(id(page))
                if b is not None:
                    wanted = {"check": True, "uncheck": False}.get(_name)
                    if _name == "set_checked":
                        wanted = bool(args[0] if args else kwargs.get("checked"))
                    if wanted is None or self.is_checked() != wanted:
                        b.clicks += 1
                        b.click_log.append(f"{_name} {args[0] if _cls == 'Page' and args else self}")
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(cls, name, counted)


def open_browsing(new_context, base_url: str, viewport: str, **context_options) -> Browsing:
    """A fresh browser context at `viewport`, with axe and console checks on every page. The
    `browsing` fixture opens one; a test that moves to a second device (a phone at the door) opens
    another, and calls its `finish()`."""
    context = new_context(**VIEWPORTS[viewport], locale="da-DK", timezone_id="Europe/Copenhagen", **context_options)
    context.set_default_timeout(15_000)
    # A page load may wait for the live server and axe-core's 500 kB on a busy 2-core machine.
    context.set_default_navigation_timeout(30_000)
    holder: dict[str, Browsing] = {}
    context.expose_binding("__brobygningAxe", lambda source, raw: holder["b"]._on_report(source, raw))
    context.expose_binding("__brobygningCsp", lambda source, raw: holder["b"]._on_csp(source, raw))
    context.add_init_script(script=CSP_LISTENER)
    context.add_init_script(script=AXE_JS.read_text(encoding="utf-8") + "\n" + AXE_RUNNER)
    page = context.new_page()
    holder["b"] = b = Browsing(page, base_url, viewport)
    return b


@pytest.fixture
def browsing(new_context, live_server, viewport, monkeypatch) -> Browsing:
    """A fresh browser context at the parametrised viewport, with axe and console checks on every page."""
    b = open_browsing(new_context, live_server.url, viewport)
    _count_clicks(monkeypatch, {id(b.page): b})
    yield b
    b.finish()


# --- Logging in and setting up TOTP -------------------------------------------------------------------


def totp_code(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP with HMAC-SHA1, as authenticator apps (and allauth) compute it."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def log_in(b: Browsing, email: str, password: str) -> None:
    b.goto("/accounts/login/")
    page = b.page
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    b.submit("Log ind")


_BASE32 = re.compile(r"\b[A-Z2-7]{16,}\b")


def read_totp_secret(b: Browsing) -> str:
    """The secret as the activation page shows it for typing into an app by hand."""
    field = b.page.locator("#authenticator_secret")
    if field.count():
        value = field.input_value() or field.inner_text()
        if value.strip():
            return value.strip().replace(" ", "")
    match = _BASE32.search(b.page.locator("main, body").first.inner_text().replace(" ", ""))
    assert match, f"No TOTP secret visible on {b.page.url}"
    return match.group(0)


def activate_totp(b: Browsing, password: str) -> None:
    """Set up TOTP where a koordinator without it is sent: read the secret, type the current code.

    allauth asks for the password again (reauthentication) before MFA can be changed, even right
    after logging in, so that page is answered first when it shows up.
    """
    page = b.page
    if "/accounts/reauthenticate/" in page.url:
        page.locator("input[name=password]").fill(password)
        b.click_and_wait(page.locator("main form [type=submit]"))
    assert "/2fa/totp/activate" in page.url, f"Expected the TOTP activation page, got {page.url}"
    secret = read_totp_secret(b)
    # Avoid typing a code in the last seconds of its 30 s window.
    if time.time() % 30 > 26:
        time.sleep(30 - time.time() % 30 + 0.5)
    page.locator("input[name=code]").fill(totp_code(secret))
    b.click_and_wait(
        page.locator("form").filter(has=page.locator("input[name=code]")).locator("[type=submit]")
    )
    assert "/2fa/totp/activate" not in page.url, (
        f"TOTP activation was refused: {page.locator('main').inner_text()}"
    )
