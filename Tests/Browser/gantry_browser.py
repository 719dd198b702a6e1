"""Shared helpers for Gantry's dashboard browser tests.

Debian's chromium (headless) driven by Selenium through Debian's chromedriver. The
scripts in this folder import this module; `scripts/lib/ensure-browser.sh` installs
what they need, and Tests/GantryIntegrationTests/DashboardBrowserTests.swift runs
them against a real `gantry serve`.

Configuration (environment):
  GANTRY_URL              the server, e.g. http://127.0.0.1:8080
  GANTRY_ADMIN_USER       admin username (default "admin")
  GANTRY_ADMIN_PASSWORD   admin password (required)
  GANTRY_ARTIFACTS        artifacts folder (default <repo>/test-artifacts): screenshots/,
                          failures/
  GANTRY_IMAGE            catalog image the instance flow launches (default "httpd")
  GANTRY_IMAGE_REFERENCE  Docker image added to the catalog under GANTRY_IMAGE when the
                          catalog lacks it (default "gantry-test/httpd:latest", port 8080)
  GANTRY_PLUGIN_IMAGE     plugin image of the plugin flow (default
                          "gantry-test/plugin-echo:latest": its result is its input)
  GANTRY_RUN_ID           suffix making names unique (default: random)
  GANTRY_WIDTHS           viewport widths of screenshot_pages.py (default "360,1440")

Run one by hand against a running server, e.g.
  GANTRY_URL=http://127.0.0.1:18090 GANTRY_ADMIN_PASSWORD=... .venv-browser/bin/python Tests/Browser/instance_flow.py
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import sys
import time
import traceback
import urllib.error
import urllib.request
from typing import Any, Callable

from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTHS = tuple(int(w) for w in os.environ.get("GANTRY_WIDTHS", "360,1440").split(",") if w.strip())
MAX_SHOT_HEIGHT = 6000

_REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

BASE = os.environ.get("GANTRY_URL", "http://127.0.0.1:8080").rstrip("/")
ADMIN_USER = os.environ.get("GANTRY_ADMIN_USER", "admin")
ADMIN_PASSWORD = os.environ.get("GANTRY_ADMIN_PASSWORD", "")
ARTIFACTS = os.environ.get("GANTRY_ARTIFACTS") or os.path.join(_REPO, "test-artifacts")
IMAGE = os.environ.get("GANTRY_IMAGE", "httpd")
IMAGE_REFERENCE = os.environ.get("GANTRY_IMAGE_REFERENCE", "gantry-test/httpd:latest")
PLUGIN_IMAGE = os.environ.get("GANTRY_PLUGIN_IMAGE", "gantry-test/plugin-echo:latest")
RUN_ID = re.sub(r"[^a-z0-9]", "", os.environ.get("GANTRY_RUN_ID", "").lower())[:12] or secrets.token_hex(4)


def log(message: str) -> None:
    print(f"[browser] {message}", flush=True)


# ---- the browser ---------------------------------------------------------------------------------


def make_driver(width: int, height: int = 900) -> WebDriver:
    """Headless Chromium whose viewport is `width` x `height` CSS pixels."""
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--lang=en-US",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--password-store=basic",
        "--disable-features=Translate,OptimizationHints,MediaRouter,PasswordLeakDetection",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    set_viewport(driver, width, height)
    return driver


def set_viewport(driver: WebDriver, width: int, height: int) -> None:
    """Sizes the window so that the viewport (window.innerWidth/innerHeight) is width x height."""
    driver.set_window_size(width, height)
    try:
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    except WebDriverException:
        return
    if inner and (inner[0] != width or inner[1] != height):
        driver.set_window_size(width + (width - inner[0]), height + (height - inner[1]))


def viewport_width(driver: WebDriver) -> int:
    return int(driver.execute_script("return window.innerWidth"))


# chromedriver errors that only mean "the document changed under us" (a navigation in flight).
_TRANSIENT = ("does not belong to the document", "execution context was destroyed", "cannot find context",
              "no such execution context", "target frame detached")


def _transient(error: WebDriverException) -> bool:
    text = str(error).lower()
    return any(t in text for t in _TRANSIENT)


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 20,
             message: str = "condition") -> Any:
    """Polls `condition(driver)` until it returns something truthy; AssertionError on timeout.

    Stale or missing elements and navigation races count as "not yet"; an AssertionError
    raised by the condition ends the wait at once."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition(driver)
            if value:
                return value
        except (StaleElementReferenceException, NoSuchElementException) as error:
            last_error = error
        except WebDriverException as error:
            if not _transient(error):
                raise
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last: {str(last_error).splitlines()[0]})" if last_error else ""
            try:
                where = driver.current_url
            except WebDriverException:
                where = "?"
            raise AssertionError(f"timed out after {timeout:g}s waiting for {message} (at {where}){detail}")
        time.sleep(0.25)


def find(driver: WebDriver | WebElement, css: str) -> WebElement:
    try:
        return driver.find_element(By.CSS_SELECTOR, css)
    except NoSuchElementException:
        where = driver.current_url if isinstance(driver, WebDriver) else "element"
        raise AssertionError(f"no element matches {css!r} on {where}") from None


def find_all(driver: WebDriver | WebElement, css: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, css)


def exists(driver: WebDriver | WebElement, css: str) -> bool:
    return len(driver.find_elements(By.CSS_SELECTOR, css)) > 0


def text_of(element: WebElement) -> str:
    return (element.get_attribute("textContent") or "").strip()


def open_page(driver: WebDriver, path: str) -> None:
    """driver.get(BASE + path) (or an absolute URL), waiting for the document to be complete."""
    url = path if path.startswith("http") else BASE + path
    driver.get(url)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", 30,
             f"{url} to load")


def h1(driver: WebDriver) -> str:
    elements = find_all(driver, "h1")
    return text_of(elements[0]) if elements else ""


def path_of(driver: WebDriver) -> str:
    url = driver.current_url
    return url[len(BASE):] if url.startswith(BASE) else url


def assert_page_ok(driver: WebDriver, what: str) -> None:
    """No server error page: no 'Internal Server Error' and an <h1>."""
    body = driver.execute_script("return document.body ? document.body.innerText : ''") or ""
    assert "Internal Server Error" not in body, f"{what}: server error page at {driver.current_url}: {body[:500]!r}"
    assert h1(driver), f"{what}: no <h1> at {driver.current_url}; body starts {body[:300]!r}"


# ---- the reload marker -------------------------------------------------------------------------------


def set_marker(driver: WebDriver) -> str:
    """Marks the current document; `assert_same_document` fails if it was reloaded or replaced."""
    token = secrets.token_hex(6)
    driver.execute_script("window.__gantryMarker = arguments[0]; window.__marker = 1;", token)
    return token


def same_document(driver: WebDriver, token: str) -> bool:
    return driver.execute_script("return window.__gantryMarker") == token


def assert_same_document(driver: WebDriver, token: str, what: str) -> None:
    assert same_document(driver, token), f"{what}: the page was reloaded or navigated away (now {driver.current_url})"


# ---- login -----------------------------------------------------------------------------------------


def login(driver: WebDriver, base: str, username: str, password: str) -> None:
    """Signs in through /dashboard/login; lands on a signed-in page."""
    driver.get(base.rstrip("/") + "/dashboard/login")
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", 30, "the login page")
    if not exists(driver, "#username") and "/dashboard/login" not in driver.current_url:
        return  # already signed in: the login page sent us on
    assert exists(driver, "body.auth-page"), "login page: expected <body class=\"auth-page\">"
    find(driver, "#username").clear()
    find(driver, "#username").send_keys(username)
    find(driver, "#password").clear()
    find(driver, "#password").send_keys(password)
    form = find(driver, "#password").find_element(By.XPATH, "./ancestor::form")
    assert form.find_elements(By.CSS_SELECTOR, "input[type=hidden][name=_csrf]"), "login form has no hidden _csrf input"
    buttons = [b for b in form.find_elements(By.CSS_SELECTOR, "button[type=submit], button:not([type]), input[type=submit]")
               if (text_of(b) or b.get_attribute("value") or "").strip() == "Sign in"]
    assert buttons, "login form: no submit button labelled 'Sign in'"
    old = find(driver, "html")
    buttons[0].click()
    wait_for(driver, lambda d: _stale(old), 30, "the login to navigate")
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", 30, "the page after login")
    if "/dashboard/login" in driver.current_url:
        errors = [text_of(e) for e in find_all(driver, ".flash-error, .field-error") if text_of(e)]
        raise AssertionError(f"login as {username} failed: still on {driver.current_url}; errors: {errors}")
    assert exists(driver, "header.topbar"), f"after login: no header.topbar at {driver.current_url}"


def logout(driver: WebDriver) -> None:
    form = find(driver, "form[action$='/dashboard/logout']")
    old = find(driver, "html")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: _stale(old), 30, "sign-out to navigate")
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", 30, "the page after sign-out")


def _stale(element: WebElement) -> bool:
    """True once `element`'s document is gone (the page navigated)."""
    try:
        element.tag_name
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        if _transient(error):
            return False
        raise


# ---- console ---------------------------------------------------------------------------------------

_IGNORED_CONSOLE = (
    re.compile(r"favicon\.ico", re.I),
)


def console_errors(driver: WebDriver) -> list[str]:
    """SEVERE browser-log entries since the last call (reading the log empties it)."""
    try:
        entries = driver.get_log("browser")
    except WebDriverException as error:
        raise AssertionError(f"cannot read the browser console log: {error}") from None
    severe = []
    for entry in entries:
        if entry.get("level") != "SEVERE":
            continue
        message = entry.get("message", "")
        if any(pattern.search(message) for pattern in _IGNORED_CONSOLE):
            continue
        severe.append(message)
    return severe


def assert_no_console_errors(driver: WebDriver, what: str = "") -> None:
    errors = console_errors(driver)
    where = what or driver.current_url
    assert not errors, f"console errors on {where}:\n  " + "\n  ".join(errors)


# ---- screenshots -------------------------------------------------------------------------------------


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"


def screenshot(driver: WebDriver, name: str, width: int) -> str:
    """Full-page screenshot into $GANTRY_ARTIFACTS/screenshots/<name>-<width>.png."""
    folder = os.path.join(ARTIFACTS, "screenshots")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{_safe(name)}-{width}.png")
    current = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    height = driver.execute_script(
        "return Math.max(document.body ? document.body.scrollHeight : 0,"
        " document.documentElement ? document.documentElement.scrollHeight : 0)")
    height = max(300, min(int(height or 0), MAX_SHOT_HEIGHT))
    set_viewport(driver, width, height)
    time.sleep(0.2)  # let layout settle after the resize
    assert driver.save_screenshot(path), f"could not save screenshot {path}"
    set_viewport(driver, width, int(current[1]) if current else 900)
    return path


def save_failure(driver: WebDriver | None, name: str) -> None:
    """Screenshot, page source and console of the page a test failed on."""
    if driver is None:
        return
    folder = os.path.join(ARTIFACTS, "failures")
    os.makedirs(folder, exist_ok=True)
    stem = os.path.join(folder, f"{_safe(name)}-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        print(f"[browser] failed at {driver.current_url}", file=sys.stderr)
        driver.save_screenshot(stem + ".png")
        with open(stem + ".html", "w", encoding="utf-8") as handle:
            handle.write(driver.page_source)
        try:
            entries = driver.get_log("browser")
        except WebDriverException:
            entries = []
        with open(stem + ".console.txt", "w", encoding="utf-8") as handle:
            for entry in entries:
                handle.write(f"{entry.get('level')} {entry.get('message')}\n")
        print(f"[browser] saved {stem}.png / .html / .console.txt", file=sys.stderr)
        body = driver.execute_script("return document.body ? document.body.innerText : ''") or ""
        print(f"[browser] page text (first 1500 chars):\n{body[:1500]}", file=sys.stderr)
    except Exception as error:  # noqa: BLE001 - best effort only
        print(f"[browser] could not save the failure artifacts: {error}", file=sys.stderr)


# ---- confirm dialogs (form[data-confirm]) -------------------------------------------------------------


def open_confirm(driver: WebDriver, form: WebElement) -> WebElement:
    """Clicks `form`'s submit button and returns the open <dialog class="confirm-dialog">."""
    message = form.get_attribute("data-confirm")
    assert message, "form has no data-confirm attribute"
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type]), input[type=submit]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    dialog = wait_for(
        driver,
        lambda d: next((x for x in find_all(d, "dialog.confirm-dialog") if x.get_attribute("open") is not None), None),
        10, "the confirm dialog to open")
    shown = text_of(dialog)
    assert message in shown, f"confirm dialog shows {shown!r}, expected the form's data-confirm {message!r}"
    return dialog


def confirm_button(dialog: WebElement, label: str | None = None) -> WebElement:
    buttons = [b for b in dialog.find_elements(By.CSS_SELECTOR, "button") if b.is_displayed()]
    texts = [text_of(b) for b in buttons]
    if label:
        for button, text in zip(buttons, texts):
            if text == label:
                return button
    candidates = [b for b, t in zip(buttons, texts) if t.lower() != "cancel"]
    assert candidates, f"confirm dialog has no confirm button (buttons: {texts})"
    return candidates[-1]


def cancel_button(dialog: WebElement) -> WebElement:
    for button in dialog.find_elements(By.CSS_SELECTOR, "button"):
        if text_of(button).lower() == "cancel":
            return button
    raise AssertionError("confirm dialog has no Cancel button")


def submit_confirmed(driver: WebDriver, form: WebElement) -> None:
    """Submits a data-confirm form through its dialog and waits for the resulting page."""
    label = form.get_attribute("data-confirm-label")
    dialog = open_confirm(driver, form)
    old = find(driver, "html")
    confirm_button(dialog, label).click()
    wait_for(driver, lambda d: _stale(old), 30, "the confirmed form to submit")
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", 30,
             "the page after the confirmed form")


def tick(driver: WebDriver, checkbox: WebElement, checked: bool = True) -> None:
    """Sets a checkbox by clicking it (or its label when something covers it)."""
    if checkbox.is_selected() == checked:
        return
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", checkbox)
    try:
        checkbox.click()
    except WebDriverException:
        labels = checkbox.find_elements(By.XPATH, "./ancestor::label[1]")
        assert labels, "the checkbox cannot be clicked and has no wrapping <label>"
        labels[0].click()
    assert checkbox.is_selected() == checked, f"could not set the checkbox to {checked}"


def click_and_wait(driver: WebDriver, element: WebElement, what: str) -> None:
    """Clicks something that navigates, and waits for the new document."""
    old = find(driver, "html")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    wait_for(driver, lambda d: _stale(old), 30, f"{what} to navigate")
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", 30, f"{what}: page load")


# ---- the HTTP API (setup only) ---------------------------------------------------------------------


class API:
    """A tiny JSON client for /api/v1, for the test setup (catalog image, seed data)."""

    def __init__(self, base: str = BASE, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD):
        self.base = base.rstrip("/")
        status, body = self.request("POST", "/api/v1/auth/token", {"username": username, "password": password},
                                    token=None)
        assert status == 200 and isinstance(body, dict) and body.get("access_token"), \
            f"API login as {username} failed: {status} {body}"
        self.token = body["access_token"]

    def request(self, method: str, path: str, body: Any = None, token: str | None = "self") -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        bearer = self.token if token == "self" else token
        if bearer:
            request.add_header("Authorization", f"Bearer {bearer}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            raw = error.read()
            status = error.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def get(self, path: str) -> tuple[int, Any]:
        return self.request("GET", path)

    def post(self, path: str, body: Any) -> tuple[int, Any]:
        return self.request("POST", path, body)


def ensure_catalog_image(api: API, name: str = IMAGE, reference: str = IMAGE_REFERENCE, port: int = 8080) -> None:
    """Adds `reference` to the catalog as `name` unless the catalog already has `name`."""
    status, body = api.get(f"/api/v1/images/{name}")
    if status == 200:
        return
    status, body = api.post("/api/v1/images", {"name": name, "reference": reference, "port": port,
                                               "description": "busybox httpd (browser tests)"})
    assert status in (200, 201, 409), f"adding catalog image {name} ({reference}) failed: {status} {body}"
    log(f"catalog: added {name} = {reference}")


def echo_plugin_manifest(name: str, image: str = PLUGIN_IMAGE) -> dict:
    """A plugin.json for the echo test plugin: its result is its input, so the output schema is
    the input schema (a string, an integer, a boolean and a number)."""
    schema = {
        "type": "object",
        "properties": {
            "message": {"type": "string", "description": "Text to echo back"},
            "count": {"type": "integer", "minimum": 0, "maximum": 1000, "description": "A whole number"},
            "loud": {"type": "boolean", "description": "A flag"},
            "ratio": {"type": "number", "description": "A decimal number"},
        },
        "required": ["message", "count"],
    }
    return {
        "name": name,
        "version": "1.0.0",
        "description": "Echo: the result is the input (browser test plugin)",
        "docker_image_url": image,
        "input_schema": schema,
        "output_schema": schema,
        "resources": {"cpu": 0.25, "memory_mb": 64, "gpus": 0},
        "timeout_seconds": 60,
        "input_mode": "stdin",
    }


# ---- running a flow --------------------------------------------------------------------------------


def require_config() -> None:
    assert ADMIN_PASSWORD, "GANTRY_ADMIN_PASSWORD is not set"
    try:
        with urllib.request.urlopen(BASE + "/health", timeout=10) as response:
            assert response.status == 200, f"{BASE}/health answered {response.status}"
    except OSError as error:
        raise AssertionError(f"gantry is not reachable at {BASE}: {error}") from None


def run(name: str, flow: Callable[[Callable[[int], WebDriver]], None]) -> None:
    """Runs `flow(new_driver)`; exit status 0 on success, 1 with the reason (and artifacts) on failure.

    `new_driver(width)` opens a browser that is closed at the end; the last one opened is the
    one whose page is saved when the flow fails."""
    drivers: list[WebDriver] = []

    def new_driver(width: int) -> WebDriver:
        driver = make_driver(width)
        drivers.append(driver)
        return driver

    def terminated(signum, _frame):
        raise SystemExit(f"terminated by signal {signum}")

    signal.signal(signal.SIGTERM, terminated)
    started = time.monotonic()
    try:
        require_config()
        flow(new_driver)
    except BaseException as error:  # noqa: BLE001 - report everything, including KeyboardInterrupt
        print(f"[browser] {name}: FAILED after {time.monotonic() - started:.1f}s: {error}", file=sys.stderr)
        traceback.print_exc()
        save_failure(drivers[-1] if drivers else None, name)
        _quit(drivers)
        sys.exit(1)
    _quit(drivers)
    print(f"[browser] {name}: passed in {time.monotonic() - started:.1f}s", flush=True)


def _quit(drivers: list[WebDriver]) -> None:
    for driver in drivers:
        try:
            driver.quit()
        except Exception:  # noqa: BLE001
            pass
