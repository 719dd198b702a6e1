"""Browser test: every dashboard page at 360 px and 1440 px: a screenshot of each into
$GANTRY_ARTIFACTS/screenshots/<page>-<width>.png, and per page: no server error (an <h1>, no
"Internal Server Error"), no horizontal overflow at 360 px, no console errors.

With GANTRY_SEED=1 it first creates something to show through the HTTP API (a catalog image,
a running instance, an echo plugin with a completed job and a failing plugin with a failed one,
an API key, a second user, and a GPU session when the server has GPUs).

Exit status 0 when every page passes; otherwise 1 with every problem found (it goes on after a
failing page), plus failure artifacts. See gantry_browser.py for the configuration.
"""

from __future__ import annotations

import os
import re
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gantry_browser as gb  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

SEED = os.environ.get("GANTRY_SEED", "0").lower() in ("1", "true", "yes")


# ---- seed data -----------------------------------------------------------------------------------


def seed() -> dict:
    """Creates things to show; returns ids: instance, plugin, job_completed, job_failed."""
    api = gb.API()
    seeded: dict = {}
    gb.ensure_catalog_image(api)

    name = f"bt-shot-{gb.RUN_ID}"
    status, body = api.post("/api/v1/instances", {"name": name, "image": gb.IMAGE, "cpu": 0.25, "memory_mb": 64})
    assert status in (200, 201, 202), f"seed: launching {name} failed: {status} {body}"
    seeded["instance"] = body["id"]

    plugin = f"bt-shot-echo-{gb.RUN_ID}"
    status, body = api.post("/api/v1/plugins", gb.echo_plugin_manifest(plugin))
    assert status == 201, f"seed: registering {plugin} failed: {status} {body}"
    seeded["plugin"] = plugin
    status, body = api.post("/api/v1/jobs", {"plugin_name": plugin, "input_data": {
        "message": "a job for the screenshots", "count": 7, "loud": False, "ratio": 0.25}})
    assert status == 202, f"seed: submitting a job failed: {status} {body}"
    seeded["job_completed"] = body["id"]

    failing = f"bt-shot-fail-{gb.RUN_ID}"
    status, body = api.post("/api/v1/plugins", {
        "name": failing, "version": "1.0.0", "description": "Always fails (browser test plugin)",
        "docker_image_url": "gantry-test/plugin-fail:latest", "timeout_seconds": 30,
        "resources": {"cpu": 0.25, "memory_mb": 64, "gpus": 0}})
    if status == 201:
        status, body = api.post("/api/v1/jobs", {"plugin_name": failing, "input_data": {}})
        if status == 202:
            seeded["job_failed"] = body["id"]
    if "job_failed" not in seeded:
        gb.log(f"seed: no failing job ({status} {body}); going on")

    status, body = api.post("/api/v1/api-keys", {"name": f"screenshots-{gb.RUN_ID}"})
    if status != 201:
        gb.log(f"seed: creating an API key failed: {status} {body}; going on")
    username = f"bt{gb.RUN_ID}"[:32]
    status, body = api.post("/api/v1/users", {"email": f"{username}@example.com", "username": username,
                                              "password": f"secret-{username}-1"})
    if status != 201:
        gb.log(f"seed: creating user {username} failed: {status} {body}; going on")

    # A GPU session when the server has GPUs (e.g. a fake nvidia-smi with MIG).
    status, body = api.get("/api/v1/gpus/profiles")
    profiles = body.get("items", []) if isinstance(body, dict) else (body if isinstance(body, list) else [])
    free = [p.get("profile") for p in profiles if isinstance(p, dict) and p.get("free", 0) > 0]
    if free:
        status, body = api.post("/api/v1/sessions", {"mig_profile": free[0], "name": f"shot-{gb.RUN_ID}",
                                                     "ttl_minutes": 90})
        if status == 201:
            seeded["session"] = body.get("session_id")
        else:
            gb.log(f"seed: creating a session ({free[0]}) failed: {status} {body}; going on")
    else:
        gb.log("seed: no GPU profiles free; no session")

    # Wait for the instance and the jobs to settle, so the pages show real states.
    deadline = time.monotonic() + 120
    pending = {"instance", "job_completed"} | ({"job_failed"} if "job_failed" in seeded else set())
    while pending and time.monotonic() < deadline:
        if "instance" in pending:
            _, inst = api.get(f"/api/v1/instances/{seeded['instance']}")
            if (inst or {}).get("state") in ("running", "failed"):
                pending.discard("instance")
        for key in ("job_completed", "job_failed"):
            if key in pending:
                _, job = api.get(f"/api/v1/jobs/{seeded[key]}")
                if (job or {}).get("status") in ("completed", "failed"):
                    pending.discard(key)
        time.sleep(0.5)
    assert "instance" not in pending, "seed: the instance did not turn running within 120 s"
    assert "job_completed" not in pending, "seed: the echo job did not finish within 120 s"
    if pending:
        gb.log(f"seed: still unsettled: {sorted(pending)}; going on without them")
        for key in pending:
            seeded.pop(key, None)
    gb.log(f"seed: {seeded}")
    return seeded


# ---- checks --------------------------------------------------------------------------------------

OVERFLOW_JS = """
const limit = window.innerWidth + 1;
if (document.documentElement.scrollWidth <= limit) return null;
const culprits = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.right <= limit) continue;
  // Only the outermost offender of a subtree, skipping content that scrolls inside a wrapper.
  let p = el.parentElement, inside = false;
  while (p && p !== document.body) {
    const s = getComputedStyle(p);
    if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) { inside = true; break; }
    if (p.getBoundingClientRect().right > limit) { inside = true; break; }
    p = p.parentElement;
  }
  if (inside) continue;
  culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' right=' + Math.round(r.right));
  if (culprits.length >= 5) break;
}
return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, culprits};
"""


# The HTML contract (the dashboard spec), page by page: selectors that must match. SEEDED adds what
# the seed data guarantees (a running instance, jobs, plugins, a GPU session on a MIG GPU).
LAYOUT = [
    "a.skip-link[href='#main']", "header.topbar a.brand[href='/dashboard'] .brand-mark",
    "nav.nav[aria-label='Main']", ".topbar-user .user-name",
    "form[action$='/dashboard/logout'] input[type=hidden][name=_csrf]", "main#main", "footer.footer",
    "link[rel=stylesheet][href^='/dashboard/assets/gantry.css']", "script[src^='/dashboard/assets/gantry.js'][defer]",
]
EXPECT = {
    "overview": [".stat .stat-value", ".stat .stat-label", "meter.usage-meter"],
    "instances": ["tbody#instance-rows[data-live='/dashboard/instances/live']"],
    "instance-detail": ["[data-live] span#instance-state.badge", "pre.logs#instance-logs"],
    "instances-new-step1": ["ol.steps li.is-current[aria-current='step']", "fieldset.choices label.choice input[type=radio][name=image]",
                            "label.choice .choice-title", "#wizard-next"],
    "instances-new-step2": ["form[data-quota][data-remaining-cpu][data-remaining-memory-mb]", "#name", "#cpu", "#memory_mb",
                            "#gpus", "[data-quota-left='cpu']", "#wizard-next", "ol.steps li.is-done"],
    "instances-new-step3": ["dl.kv", "#wizard-launch"],
    "sessions": ["form#session-create", "select#mig_profile", "input#ttl_minutes"],
    "jobs": ["tbody#job-rows[data-live]", "form.filters select[data-autosubmit]"],
    "job-detail": ["[data-live] span#job-status.badge", "#job-input"],
    "job-detail-failed": ["[data-live] span#job-status.badge", "#job-input", "#job-error"],
    "plugin-detail": ["a#plugin-submit-job", "pre.code"],
    "jobs-new": ["form#job-form", "textarea#input-json", "#job-submit"],
    "plugins-new": ["textarea#manifest", "#plugin-register"],
    "login": ["body.auth-page main.auth-card h1", "#username", "#password", "input[type=hidden][name=_csrf]"],
    "confirm-no-js": ["form[method=post] input[type=hidden][name=confirm][value=yes]",
                      "form[method=post] input[type=hidden][name=_csrf]"],
}
SEEDED = {
    "instances": ["tr[data-row-id] a.instance-link", "tr[data-row-id] span.badge",
                  "tr[data-row-id] td.actions form.inline-form[data-action='stop']", "tr[data-row-id] a.endpoint"],
    "instance-detail": ["a.endpoint"],
    "sessions": ["select#session-user", "tr[data-row-id] .countdown[data-countdown]", ".copyable [data-copy]",
                 "form[data-action='extend'] input[name='extend_minutes']", "form[data-action='delete']"],
    "gpus": [".gpu ul.mig-slots li.mig-slot .mig-profile", "li.mig-slot.is-held .mig-holder"],
    "jobs": ["tr[data-row-id] a.job-link", "tr[data-row-id] span.badge"],
    "job-detail": ["#job-result"],
}
COUNTDOWN = re.compile(r"^((\d+h )?\d+m \d+s left|\d+s left|expired)$")

# Strict CSP: no inline scripts, style attributes or event-handler attributes; JS-only controls
# are rendered hidden and shown by gantry.js.
CONTRACT_JS = """
const handlers = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) if (a.name.startsWith('on')) handlers.push(el.tagName.toLowerCase() + '[' + a.name + ']');
}
const shown = el => !el.hidden && getComputedStyle(el).display !== 'none';
return {
  inlineScripts: document.querySelectorAll('script:not([src])').length,
  styleAttributes: [...document.querySelectorAll('[style]')].slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className),
  handlers: handlers.slice(0, 5),
  hiddenCopy: [...document.querySelectorAll('[data-copy]')].filter(e => !shown(e)).length,
  hiddenToggle: [...document.querySelectorAll('[data-theme-toggle]')].filter(e => !shown(e)).length,
  shownApply: [...document.querySelectorAll('.filters-apply')].filter(shown).length,
  countdowns: [...document.querySelectorAll('[data-countdown]')].map(e => e.textContent.trim()),
};
"""


class Pages:
    def __init__(self, driver, width: int, seeded: dict):
        self.driver = driver
        self.width = width
        self.seeded = seeded
        self.problems: list[str] = []
        self.shots: list[str] = []

    def contract(self, name: str, where: str) -> None:
        d = self.driver
        signed_in = name != "login"
        wanted = (LAYOUT if signed_in else []) + EXPECT.get(name, [])
        if signed_in and name not in ("not-found", "confirm-no-js"):
            wanted.append("nav.nav[aria-label='Main'] [aria-current='page']")
        if self.seeded and (name not in ("sessions", "gpus") or self.seeded.get("session")):
            wanted += SEEDED.get(name, [])
        missing = [css for css in wanted if not gb.exists(d, css)]
        if missing:
            self.problems.append(f"{where}: contract: nothing matches {missing}")
        found = d.execute_script(CONTRACT_JS)
        if found["inlineScripts"] or found["styleAttributes"] or found["handlers"]:
            self.problems.append(
                f"{where}: contract (CSP): {found['inlineScripts']} inline scripts, style attributes "
                f"{found['styleAttributes']}, handler attributes {found['handlers']}")
        if found["hiddenCopy"] or (signed_in and found["hiddenToggle"]) or found["shownApply"]:
            self.problems.append(
                f"{where}: gantry.js did not enhance the page: {found['hiddenCopy']} [data-copy] still hidden, "
                f"{found['hiddenToggle']} [data-theme-toggle] still hidden, {found['shownApply']} .filters-apply shown")
        bad = [text for text in found["countdowns"] if not COUNTDOWN.match(text)]
        if bad:
            self.problems.append(f"{where}: [data-countdown] texts not like '1h 02m 05s left' / 'expired': {bad}")

    def check(self, name: str) -> None:
        """Checks the page that is open now and screenshots it as `name`."""
        d = self.driver
        where = f"{name} @{self.width} ({gb.path_of(d)})"
        try:
            gb.assert_page_ok(d, where)
            self.contract(name, where)
        except AssertionError as error:
            self.problems.append(str(error))
        if self.width <= 360:
            overflow = d.execute_script(OVERFLOW_JS)
            if overflow:
                self.problems.append(
                    f"{where}: overflows horizontally: scrollWidth {overflow['scrollWidth']} > innerWidth "
                    f"{overflow['innerWidth']}; widest: {overflow['culprits']}")
        try:
            self.shots.append(gb.screenshot(d, name, self.width))
        except AssertionError as error:
            self.problems.append(str(error))
        errors = gb.console_errors(d)
        if errors:
            self.problems.append(f"{where}: console errors:\n    " + "\n    ".join(errors))

    def visit(self, name: str, path: str, status: int = 200) -> bool:
        """Opens `path` and checks it; `status` 404 expects a not-found page (whose load the console
        reports as a failed resource)."""
        try:
            gb.open_page(self.driver, path)
            if status == 404:
                errors = [e for e in gb.console_errors(self.driver) if "status of 404" not in e]
                if errors:
                    self.problems.append(f"{name} @{self.width}: console errors:\n    " + "\n    ".join(errors))
            self.check(name)
        except (AssertionError, WebDriverException) as error:
            self.fail(f"{name} @{self.width}", error)
            return False
        return True

    def fail(self, where: str, error: BaseException) -> None:
        """Records an unexpected error on a page and drops that page's console."""
        if isinstance(error, WebDriverException):
            traceback.print_exc()
        self.problems.append(f"{where} ({gb.path_of(self.driver)}): {str(error).splitlines()[0] if str(error) else error!r}")
        try:
            gb.console_errors(self.driver)
        except AssertionError:
            pass

    def first_href(self, css: str, exclude: tuple[str, ...] = ()) -> str | None:
        for link in gb.find_all(self.driver, css):
            href = link.get_attribute("href") or ""
            if href and not any(href.rstrip("/").endswith(x) for x in exclude):
                return href
        return None


def wizard(pages: Pages) -> None:
    """Steps 1-3 of the launch wizard, clicked through like a user."""
    d = pages.driver
    if not pages.visit("instances-new-step1", "/dashboard/instances/new"):
        return
    try:
        radio = gb.find(d, f"input[name=image][value='{gb.IMAGE}']")
        label = radio.find_element(By.XPATH, "./ancestor::label[1]")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
        label.click()
        gb.click_and_wait(d, gb.find(d, "#wizard-next"), "wizard step 1 'Next'")
        pages.check("instances-new-step2")
        name = gb.find(d, "#name")
        name.clear()
        name.send_keys(f"bt-shot2-{gb.RUN_ID}")
        for css, value in (("#cpu", "0.25"), ("#memory_mb", "128")):
            field = gb.find(d, css)
            field.clear()
            field.send_keys(value)
        gb.click_and_wait(d, gb.find(d, "#wizard-next"), "wizard step 2 'Next'")
        pages.check("instances-new-step3")
    except (AssertionError, WebDriverException) as error:
        pages.fail(f"wizard @{pages.width}", error)


def no_js_confirm(pages: Pages, instance_id: str) -> None:
    """A data-confirm form posted without JS (no confirm=yes): the server's own confirmation page.
    Nothing is confirmed: the instance keeps running."""
    d = pages.driver
    try:
        gb.open_page(d, "/dashboard/instances")
        css = f"tbody#instance-rows tr[data-row-id='{instance_id}'] form[data-action='stop']"
        gb.find(d, css)
        old = gb.find(d, "html")
        # Found and posted in one go (live updates may replace the row), without a submit event: as without JS.
        d.execute_script("HTMLFormElement.prototype.submit.call(document.querySelector(arguments[0]))", css)
        gb.wait_for(d, lambda x: gb._stale(old), 30, "the stop form to post")
        gb.wait_for(d, lambda x: x.execute_script("return document.readyState") == "complete", 30, "the confirm page")
        pages.check("confirm-no-js")
    except (AssertionError, WebDriverException) as error:
        pages.fail(f"confirm-no-js @{pages.width}", error)


def theme_toggle(pages: Pages) -> None:
    """[data-theme-toggle] cycles auto -> light -> dark -> auto (stored in localStorage); the overview
    is also screenshotted dark."""
    d = pages.driver
    try:
        toggle = gb.find(d, "[data-theme-toggle]")
        start = d.execute_script("return document.documentElement.dataset.theme")
        assert start == "auto", f"the theme starts as {start!r}, expected 'auto'"
        for mode in ("light", "dark", "auto"):
            toggle.click()
            theme, stored = d.execute_script(
                "return [document.documentElement.dataset.theme, localStorage.getItem('gantry-theme')]")
            assert theme == mode and stored == mode, \
                f"after a click the theme is {theme!r} (stored {stored!r}), expected {mode!r}"
            assert toggle.get_attribute("aria-label") == f"Theme: {mode}", \
                f"theme toggle aria-label is {toggle.get_attribute('aria-label')!r}, expected 'Theme: {mode}'"
            if mode == "dark":
                pages.shots.append(gb.screenshot(d, "overview-dark", pages.width))
        errors = gb.console_errors(d)
        assert not errors, f"console errors: {errors}"
    except (AssertionError, WebDriverException) as error:
        pages.fail(f"theme toggle @{pages.width}", error)
        d.execute_script("localStorage.removeItem('gantry-theme')")


def all_pages(pages: Pages, seeded: dict) -> None:
    d = pages.driver
    if pages.visit("overview", "/dashboard"):
        theme_toggle(pages)
    if pages.visit("instances", "/dashboard/instances"):
        href = (f"{gb.BASE}/dashboard/instances/{seeded['instance']}" if "instance" in seeded
                else pages.first_href("a.instance-link"))
        if href:
            pages.visit("instance-detail", href)
        else:
            gb.log("no instance to show")
        if "instance" in seeded:
            no_js_confirm(pages, seeded["instance"])
    pages.visit("not-found", "/dashboard/instances/00000000-0000-4000-8000-000000000000", status=404)
    wizard(pages)
    pages.visit("sessions", "/dashboard/sessions")
    pages.visit("gpus", "/dashboard/gpus")
    if pages.visit("jobs", "/dashboard/jobs"):
        job_ids = [(key, seeded[key]) for key in ("job_completed", "job_failed") if key in seeded]
        if job_ids:
            for key, job_id in job_ids:
                pages.visit("job-detail" + ("-failed" if key == "job_failed" else ""), f"/dashboard/jobs/{job_id}")
        else:
            href = pages.first_href("a.job-link")
            if href:
                pages.visit("job-detail", href)
            else:
                gb.log("no job to show")
    plugin = seeded.get("plugin")
    if pages.visit("plugins", "/dashboard/plugins"):
        href = (f"{gb.BASE}/dashboard/plugins/{plugin}" if plugin
                else pages.first_href("main a[href*='/dashboard/plugins/']", exclude=("/dashboard/plugins/new",)))
        if href:
            pages.visit("plugin-detail", href)
            plugin = plugin or href.rstrip("/").rsplit("/", 1)[-1]
        else:
            gb.log("no plugin to show")
    if plugin:
        pages.visit("jobs-new", f"/dashboard/jobs/new?plugin={plugin}")
    pages.visit("plugins-new", "/dashboard/plugins/new")
    if pages.visit("admin-users", "/dashboard/admin/users"):
        href = pages.first_href("main a[href*='/dashboard/admin/users/']", exclude=("/dashboard/admin/users/new",))
        if href:
            pages.visit("admin-user-detail", href)
        else:
            pages.problems.append(f"admin-users @{pages.width}: no link to a user's page (a[href*='/dashboard/admin/users/'])")
    pages.visit("admin-images", "/dashboard/admin/images")
    pages.visit("account", "/dashboard/account")
    # Signed out (from the overview's topbar): the login page.
    try:
        gb.open_page(d, "/dashboard")
        gb.logout(d)
    except (AssertionError, WebDriverException) as error:
        pages.fail(f"sign-out @{pages.width}", error)
        d.delete_all_cookies()
    gb.console_errors(d)
    pages.visit("login", "/dashboard/login")
    if "/dashboard/login" not in d.current_url:
        pages.problems.append(f"login @{pages.width}: signed out, /dashboard/login went to {d.current_url}")


def flow(new_driver) -> None:
    seeded = seed() if SEED else {}
    problems: list[str] = []
    count = 0
    for width in gb.WIDTHS:
        driver = new_driver(width)
        assert gb.viewport_width(driver) == width, f"viewport is {gb.viewport_width(driver)} px, wanted {width}"
        gb.login(driver, gb.BASE, gb.ADMIN_USER, gb.ADMIN_PASSWORD)
        gb.console_errors(driver)  # the login page is checked signed out, at the end
        pages = Pages(driver, width, seeded)
        all_pages(pages, seeded)
        problems += pages.problems
        count += len(pages.shots)
        gb.log(f"{width} px: {len(pages.shots)} pages, {len(pages.problems)} problems")
    gb.log(f"{count} screenshots in {os.path.join(gb.ARTIFACTS, 'screenshots')}")
    assert not problems, f"{len(problems)} problems:\n  " + "\n  ".join(problems)


if __name__ == "__main__":
    gb.run("screenshot_pages", flow)
