"""Browser test: sign in, launch an instance through the wizard, watch it turn running without
reloading, open its endpoint, stop it and terminate it from the instances table.

Exit status 0 when it passes; otherwise 1 with the reason, and a screenshot, the page source and
the console log under $GANTRY_ARTIFACTS/failures/. See gantry_browser.py for the configuration.
"""

from __future__ import annotations

import os
import re
import sys
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gantry_browser as gb  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

WIDTH = 1440
RUNNING_TIMEOUT = 120
STATE_TIMEOUT = 60
INSTANCE_STATES = {"pending", "running", "stopping", "stopped", "terminating", "terminated", "failed"}


def choose_image(driver, image: str) -> None:
    radio = gb.wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, f"input[name=image][value='{image}']"),
                        10, f"the image choice {image!r} in the wizard")
    choice = radio.find_element(By.XPATH, "./ancestor::label[1]")
    assert "choice" in (choice.get_attribute("class") or "").split(), \
        f"image radio {image!r} is not inside a <label class=\"choice\">"
    gb.find(choice, ".choice-title")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", choice)
    choice.click()
    gb.wait_for(driver, lambda d: radio.is_selected(), 5, f"the {image!r} card to be selected")


def set_number(driver, css: str, value: str) -> None:
    field = gb.find(driver, css)
    field.clear()
    field.send_keys(value)


def badge_text(element) -> str:
    return gb.text_of(element)


def instance_state_on_detail(driver) -> str:
    return badge_text(driver.find_element(By.CSS_SELECTOR, "#instance-state"))


def row_css(instance_id: str) -> str:
    return f"tbody#instance-rows tr[data-row-id='{instance_id}']"


def row_state(driver, instance_id: str) -> str | None:
    """The row's state badge text, or None when the row is gone."""
    rows = gb.find_all(driver, row_css(instance_id))
    if not rows:
        return None
    badges = [badge_text(b) for b in rows[0].find_elements(By.CSS_SELECTOR, "span.badge")]
    states = [b for b in badges if b in INSTANCE_STATES]
    assert states, f"instance row {instance_id} has no state badge (span.badge texts: {badges})"
    return states[0]


def wait_for_state(driver, read, wanted: set[str], timeout: float, what: str, token: str) -> str:
    """Polls read(driver) (a state, or None) until it is in `wanted`; fails early on 'failed'."""
    seen: list[str] = []

    def reached(d):
        gb.assert_same_document(d, token, what)
        state = read(d)
        label = "<gone>" if state is None else state
        if not seen or seen[-1] != label:
            seen.append(label)
            gb.log(f"{what}: {label}")
        if state == "failed" and "failed" not in wanted:
            raise AssertionError(f"{what}: the instance failed (states seen: {seen})")
        return state in wanted or (state is None and None in wanted)

    try:
        gb.wait_for(driver, reached, timeout, f"{what} to become {sorted(str(w) for w in wanted)}")
    except AssertionError as error:
        raise AssertionError(f"{error}; states seen: {seen}") from None
    return seen[-1]


def fetch_ok(url: str, timeout: float = 30) -> str:
    """GET `url` outside the browser until it answers 200; returns the body."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                if response.status == 200:
                    return response.read().decode("utf-8", "replace")
                last = f"HTTP {response.status}"
        except OSError as error:
            last = str(error)
        time.sleep(0.5)
    raise AssertionError(f"endpoint {url} did not answer 200 within {timeout:g}s: {last}")


def flow(new_driver) -> None:
    api = gb.API()
    gb.ensure_catalog_image(api)
    name = f"bt-web-{gb.RUN_ID}"
    driver = new_driver(WIDTH)

    # Sign in.
    gb.login(driver, gb.BASE, gb.ADMIN_USER, gb.ADMIN_PASSWORD)
    gb.assert_no_console_errors(driver, "the page after login")
    gb.log(f"signed in as {gb.ADMIN_USER}; launching {name} ({gb.IMAGE})")

    # Wizard step 1: the image.
    gb.open_page(driver, "/dashboard/instances/new")
    gb.assert_page_ok(driver, "wizard step 1")
    assert gb.h1(driver) == "Launch an instance", f"wizard h1 is {gb.h1(driver)!r}"
    gb.find(driver, "ol.steps")
    gb.assert_no_console_errors(driver, "wizard step 1")
    choose_image(driver, gb.IMAGE)
    gb.screenshot(driver, "flow-instance-wizard-1", WIDTH)
    gb.click_and_wait(driver, gb.find(driver, "#wizard-next"), "wizard step 1 'Next'")

    # Step 2: size.
    gb.assert_page_ok(driver, "wizard step 2")
    assert "step=2" in driver.current_url, f"after step 1 expected ?step=2, at {driver.current_url}"
    form = gb.find(driver, "form[data-quota]")
    for css in ("#name", "#cpu", "#memory_mb"):
        gb.find(form, css)
    gb.assert_no_console_errors(driver, "wizard step 2")
    name_field = gb.find(driver, "#name")
    name_field.clear()
    name_field.send_keys(name)

    # The quota hint (gantry.js): far over quota disables the submit buttons, back under enables them.
    set_number(driver, "#cpu", "100000")
    gb.wait_for(driver, lambda d: "is-over" in (gb.find(d, "[data-quota-left='cpu']").get_attribute("class") or ""),
                5, "[data-quota-left=cpu] to get .is-over for 100000 CPUs")
    assert gb.find(driver, "#cpu").get_attribute("aria-invalid") == "true", "#cpu over quota has no aria-invalid=true"
    quota_submits = gb.find_all(driver, "form[data-quota] [data-quota-submit]")
    assert quota_submits, "the wizard's size form has no [data-quota-submit] button"
    assert not any(b.is_enabled() for b in quota_submits), "a [data-quota-submit] button is enabled while over quota"
    set_number(driver, "#cpu", "0.25")
    set_number(driver, "#memory_mb", "128")
    if gb.exists(driver, "#gpus") and gb.find(driver, "#gpus").is_enabled():
        set_number(driver, "#gpus", "0")
    gb.wait_for(driver, lambda d: all(b.is_enabled() for b in gb.find_all(d, "form[data-quota] [data-quota-submit]")),
                5, "the [data-quota-submit] buttons to be enabled again")
    assert gb.find(driver, "#wizard-next").is_enabled(), "#wizard-next is disabled under quota"
    hint = gb.text_of(gb.find(driver, "[data-quota-left='cpu']"))
    assert "is-over" not in (gb.find(driver, "[data-quota-left='cpu']").get_attribute("class") or ""), \
        f"cpu quota hint still over: {hint!r}"
    gb.log(f"quota hint: {hint!r}")
    gb.screenshot(driver, "flow-instance-wizard-2", WIDTH)
    gb.click_and_wait(driver, gb.find(driver, "#wizard-next"), "wizard step 2 'Next'")

    # Step 3: review and launch.
    gb.assert_page_ok(driver, "wizard step 3")
    assert "step=3" in driver.current_url, f"after step 2 expected ?step=3, at {driver.current_url}"
    review = gb.text_of(gb.find(driver, "dl.kv"))
    assert name in review and gb.IMAGE in review, f"review does not show the name and image: {review!r}"
    gb.assert_no_console_errors(driver, "wizard step 3")
    gb.screenshot(driver, "flow-instance-wizard-3", WIDTH)
    gb.click_and_wait(driver, gb.find(driver, "#wizard-launch"), "'Launch'")

    # The detail page: wait for running without reloading.
    gb.assert_page_ok(driver, "instance detail after launch")
    match = re.search(r"/dashboard/instances/([^/?#]+)$", driver.current_url.split("?")[0])
    assert match and match.group(1) != "new", f"after Launch expected /dashboard/instances/<id>, at {driver.current_url}"
    instance_id = match.group(1)
    assert gb.h1(driver) == name, f"detail h1 is {gb.h1(driver)!r}, expected {name!r}"
    gb.log(f"launched {name}: id {instance_id}")
    state = gb.find(driver, "span#instance-state.badge")
    assert state.find_elements(By.XPATH, "./ancestor::*[@data-live]"), "#instance-state is not inside a [data-live] element"
    gb.find(driver, "pre.logs#instance-logs")
    gb.assert_no_console_errors(driver, "instance detail")
    token = gb.set_marker(driver)
    wait_for_state(driver, instance_state_on_detail, {"running"}, RUNNING_TIMEOUT, "detail page state", token)
    badge = gb.find(driver, "#instance-state")
    assert "badge-ok" in (badge.get_attribute("class") or "").split(), \
        f"running badge classes: {badge.get_attribute('class')!r} (expected badge-ok)"
    endpoint = gb.wait_for(driver, lambda d: next(
        (a for a in gb.find_all(d, "a.endpoint") if (a.get_attribute("href") or "").startswith("http")), None),
        30, "the endpoint link a.endpoint")
    href = endpoint.get_attribute("href")
    assert endpoint.get_attribute("target") == "_blank", f"a.endpoint target is {endpoint.get_attribute('target')!r}"
    assert "noopener" in (endpoint.get_attribute("rel") or ""), f"a.endpoint rel is {endpoint.get_attribute('rel')!r}"
    assert re.match(r"^http://[^/]+:\d+/?$", href), f"a.endpoint href {href!r} is not http://IP:PORT"
    gb.assert_same_document(driver, token, "detail page")
    assert driver.execute_script("return window.__marker") == 1, "window.__marker is gone: the page was reloaded"
    gb.assert_no_console_errors(driver, "instance detail (running)")
    gb.screenshot(driver, "flow-instance-detail-running", WIDTH)

    # The endpoint: a page from the instance.
    fetch_ok(href)
    gb.open_page(driver, href)
    body = driver.execute_script("return document.body ? document.body.innerText : ''") or ""
    assert body.strip(), f"endpoint {href} shows an empty page"
    assert not re.search(r"ERR_|can.t be reached|404 Not Found|Internal Server Error", body), \
        f"endpoint {href} shows an error: {body[:300]!r}"
    gb.log(f"endpoint {href}: {body.strip()[:80]!r}")
    gb.console_errors(driver)  # the instance's own page is not ours: drop its console
    driver.back()
    gb.wait_for(driver, lambda d: d.current_url.startswith(gb.BASE + "/dashboard/instances/"), 20,
                "back to the instance detail page")
    gb.wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", 20, "detail page")
    assert gb.h1(driver) == name, f"after going back h1 is {gb.h1(driver)!r}"

    # The instances table: the row, then Stop through the confirm dialog.
    gb.open_page(driver, "/dashboard/instances")
    gb.assert_page_ok(driver, "instances")
    assert gb.h1(driver) == "Instances", f"instances h1 is {gb.h1(driver)!r}"
    tbody = gb.find(driver, "tbody#instance-rows")
    assert tbody.get_attribute("data-live") == "/dashboard/instances/live", \
        f"tbody#instance-rows data-live is {tbody.get_attribute('data-live')!r}"
    row = gb.find(driver, row_css(instance_id))
    link = gb.find(row, "a.instance-link")
    assert gb.text_of(link) == name, f"row link text {gb.text_of(link)!r}"
    assert (link.get_attribute("href") or "").endswith(f"/dashboard/instances/{instance_id}"), \
        f"row link href {link.get_attribute('href')!r}"
    assert row_state(driver, instance_id) == "running", f"row state is {row_state(driver, instance_id)!r}"
    assert (gb.find(row, "a.endpoint").get_attribute("href") or "").rstrip("/") == href.rstrip("/"), \
        "the row's endpoint differs from the detail page's"
    gb.assert_no_console_errors(driver, "instances")
    gb.screenshot(driver, "flow-instances-running", WIDTH)

    stop_css = f"{row_css(instance_id)} form[data-action='stop']"
    stop_form = gb.find(driver, stop_css)
    assert gb.text_of(gb.find(stop_form, "button")) == "Stop", "the stop form's button is not labelled 'Stop'"
    if stop_form.get_attribute("data-confirm"):
        # Cancel first: the dialog closes, nothing is submitted, focus goes back to the button.
        token = gb.set_marker(driver)
        dialog = gb.open_confirm(driver, stop_form)
        active = driver.execute_script("return document.activeElement ? document.activeElement.textContent.trim() : ''")
        assert active.lower() == "cancel", f"the confirm dialog's focused element is {active!r}, expected Cancel"
        gb.cancel_button(dialog).click()
        gb.wait_for(driver, lambda d: not any(x.get_attribute("open") is not None
                                               for x in gb.find_all(d, "dialog.confirm-dialog")), 5, "the dialog to close")
        gb.assert_same_document(driver, token, "cancelled stop")
        focused = driver.execute_script(
            "const f = document.activeElement; return f && f.closest('form') ? f.closest('form').dataset.action : null")
        assert focused == "stop", f"after Cancel focus is not back on the Stop button (form action {focused!r})"
        assert row_state(driver, instance_id) == "running", "cancelled Stop changed the state"
        # Escape closes it the same way.
        gb.open_confirm(driver, gb.find(driver, stop_css))
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        gb.wait_for(driver, lambda d: not any(x.get_attribute("open") is not None
                                               for x in gb.find_all(d, "dialog.confirm-dialog")), 5,
                    "Escape to close the dialog")
        gb.assert_same_document(driver, token, "stop dialog closed with Escape")
        focused = driver.execute_script(
            "const f = document.activeElement; return f && f.closest('form') ? f.closest('form').dataset.action : null")
        assert focused == "stop", f"after Escape focus is not back on the Stop button (form action {focused!r})"
        gb.submit_confirmed(driver, gb.find(driver, stop_css))
    else:
        gb.log("MISMATCH: the Stop form has no data-confirm; submitting it directly")
        gb.click_and_wait(driver, gb.find(stop_form, "button"), "Stop")
    gb.assert_page_ok(driver, "after Stop")
    gb.log(f"after Stop: {gb.path_of(driver)}")
    if not gb.path_of(driver).startswith("/dashboard/instances?") and gb.path_of(driver) != "/dashboard/instances":
        gb.open_page(driver, "/dashboard/instances")
    gb.assert_no_console_errors(driver, "instances after Stop")
    token = gb.set_marker(driver)
    wait_for_state(driver, lambda d: row_state(d, instance_id), {"stopped"}, STATE_TIMEOUT, "row state after Stop",
                   token)
    gb.find(driver, f"{row_css(instance_id)} form[data-action='start']")
    gb.assert_no_console_errors(driver, "instances (stopped)")

    # Terminate (destructive: it must ask first).
    terminate_css = f"{row_css(instance_id)} form[data-action='terminate']"
    terminate = gb.find(driver, terminate_css)
    assert gb.text_of(gb.find(terminate, "button")) == "Terminate", "the terminate form's button is not 'Terminate'"
    assert terminate.get_attribute("data-confirm"), "the Terminate form has no data-confirm"
    gb.submit_confirmed(driver, terminate)
    gb.assert_page_ok(driver, "after Terminate")
    gb.log(f"after Terminate: {gb.path_of(driver)}")
    if not gb.path_of(driver).startswith("/dashboard/instances?") and gb.path_of(driver) != "/dashboard/instances":
        gb.open_page(driver, "/dashboard/instances")
    gb.assert_no_console_errors(driver, "instances after Terminate")
    token = gb.set_marker(driver)
    final = wait_for_state(driver, lambda d: row_state(d, instance_id), {"terminated", None}, STATE_TIMEOUT,
                           "row state after Terminate", token)
    gb.log(f"terminated: row {final}")
    gb.assert_no_console_errors(driver, "instances (terminated)")
    gb.screenshot(driver, "flow-instances-terminated", WIDTH)


if __name__ == "__main__":
    gb.run("instance_flow", flow)
