"""Browser test: an admin registers a plugin (the echo test plugin: its result is its input)
through /dashboard/plugins/new, submits a job through the form generated from its input schema,
and watches the job page turn completed without reloading; the result holds the echoed values.

Exit status 0 when it passes; otherwise 1 with the reason, and a screenshot, the page source and
the console log under $GANTRY_ARTIFACTS/failures/. See gantry_browser.py for the configuration.
"""

from __future__ import annotations

import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gantry_browser as gb  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

WIDTH = 1440
JOB_TIMEOUT = 120


def job_status(driver) -> str:
    return gb.text_of(driver.find_element(By.CSS_SELECTOR, "#job-status"))


def flow(new_driver) -> None:
    plugin = f"bt-echo-{gb.RUN_ID}"
    manifest = gb.echo_plugin_manifest(plugin)
    values = {"message": f"hello from the browser {gb.RUN_ID}", "count": 42, "loud": True, "ratio": 0.5}
    driver = new_driver(WIDTH)

    gb.login(driver, gb.BASE, gb.ADMIN_USER, gb.ADMIN_PASSWORD)
    gb.assert_no_console_errors(driver, "the page after login")

    # Register the plugin from its plugin.json.
    gb.open_page(driver, "/dashboard/plugins/new")
    gb.assert_page_ok(driver, "plugins/new")
    gb.assert_no_console_errors(driver, "plugins/new")
    textarea = gb.find(driver, "textarea#manifest")
    textarea.clear()
    textarea.send_keys(json.dumps(manifest, indent=2))
    gb.screenshot(driver, "flow-plugin-new", WIDTH)
    register = gb.find(driver, "#plugin-register")
    assert gb.text_of(register) == "Register plugin" or register.get_attribute("value") == "Register plugin", \
        f"#plugin-register says {gb.text_of(register)!r}"
    gb.click_and_wait(driver, register, "'Register plugin'")
    gb.assert_page_ok(driver, "plugin page after registering")
    assert gb.path_of(driver).split("?")[0] == f"/dashboard/plugins/{plugin}", \
        f"after registering expected /dashboard/plugins/{plugin}, at {driver.current_url}"
    assert gb.h1(driver) == plugin, f"plugin page h1 is {gb.h1(driver)!r}"
    schemas = " ".join(gb.text_of(p) for p in gb.find_all(driver, "pre.code"))
    assert "message" in schemas and "count" in schemas, f"the plugin page's pre.code shows no schema: {schemas[:300]!r}"
    gb.assert_no_console_errors(driver, "plugin page")
    gb.screenshot(driver, "flow-plugin-detail", WIDTH)
    gb.log(f"registered plugin {plugin}")

    # The generated job form.
    submit_link = gb.find(driver, "a#plugin-submit-job")
    assert (submit_link.get_attribute("href") or "").endswith(f"/dashboard/jobs/new?plugin={plugin}"), \
        f"#plugin-submit-job href is {submit_link.get_attribute('href')!r}"
    gb.click_and_wait(driver, submit_link, "'Submit a job'")
    gb.assert_page_ok(driver, "jobs/new")
    form = gb.find(driver, "form#job-form")
    fields = {}
    for prop in ("message", "count", "loud", "ratio"):
        field = gb.find(form, f"#input-{prop}")
        assert field.get_attribute("name") == f"input.{prop}", \
            f"#input-{prop} has name {field.get_attribute('name')!r}, expected 'input.{prop}'"
        fields[prop] = field
    assert fields["message"].tag_name in ("input", "textarea"), f"#input-message is a <{fields['message'].tag_name}>"
    assert fields["count"].get_attribute("type") == "number", \
        f"#input-count (integer) has type {fields['count'].get_attribute('type')!r}, expected number"
    assert fields["ratio"].get_attribute("type") == "number", \
        f"#input-ratio (number) has type {fields['ratio'].get_attribute('type')!r}, expected number"
    assert fields["loud"].get_attribute("type") == "checkbox", \
        f"#input-loud (boolean) has type {fields['loud'].get_attribute('type')!r}, expected checkbox"
    raw = gb.find(form, "textarea#input-json")
    assert not (raw.get_attribute("value") or "").strip(), "the raw JSON textarea is not empty"
    gb.assert_no_console_errors(driver, "jobs/new")

    fields["message"].clear()
    fields["message"].send_keys(values["message"])
    fields["count"].clear()
    fields["count"].send_keys(str(values["count"]))
    fields["ratio"].clear()
    fields["ratio"].send_keys(str(values["ratio"]))
    gb.tick(driver, fields["loud"], values["loud"])
    gb.screenshot(driver, "flow-job-new", WIDTH)
    submit = gb.find(form, "#job-submit")
    assert gb.text_of(submit) == "Submit job" or submit.get_attribute("value") == "Submit job", \
        f"#job-submit says {gb.text_of(submit)!r}"
    gb.click_and_wait(driver, submit, "'Submit job'")

    # The job page: completed without reloading, with the echoed values.
    gb.assert_page_ok(driver, "job page")
    match = re.search(r"/dashboard/jobs/([^/?#]+)$", driver.current_url.split("?")[0])
    assert match and match.group(1) != "new", \
        f"after submitting expected /dashboard/jobs/<id>, at {driver.current_url}; errors: " \
        f"{[gb.text_of(e) for e in gb.find_all(driver, '.flash-error, .field-error') if gb.text_of(e)]}"
    job_id = match.group(1)
    gb.log(f"submitted job {job_id}")
    gb.find(driver, "span#job-status.badge")
    assert gb.find(driver, "#job-status").find_elements(By.XPATH, "./ancestor::*[@data-live]"), \
        "#job-status is not inside a [data-live] element"
    job_input = gb.text_of(gb.find(driver, "#job-input"))
    assert values["message"] in job_input, f"#job-input does not show the input: {job_input!r}"
    gb.assert_no_console_errors(driver, "job page")
    token = gb.set_marker(driver)
    seen: list[str] = []

    def finished(d):
        gb.assert_same_document(d, token, "job page")
        status = job_status(d)
        if not seen or seen[-1] != status:
            seen.append(status)
            gb.log(f"job status: {status}")
        if status == "failed":
            errors = [gb.text_of(e) for e in gb.find_all(d, "#job-error")]
            raise AssertionError(f"the job failed: {errors}")
        return status == "completed"

    gb.wait_for(driver, finished, JOB_TIMEOUT, f"#job-status to say completed (seen {seen})")
    assert driver.execute_script("return window.__marker") == 1, "window.__marker is gone: the page was reloaded"
    badge = gb.find(driver, "#job-status")
    assert "badge-ok" in (badge.get_attribute("class") or "").split(), \
        f"completed badge classes: {badge.get_attribute('class')!r} (expected badge-ok)"
    result_text = gb.wait_for(driver, lambda d: gb.text_of(d.find_element(By.CSS_SELECTOR, "#job-result")), 10,
                              "#job-result")
    try:
        result = json.loads(result_text)
    except ValueError:
        result = None
    if result is not None:
        assert result == values, f"#job-result is {result!r}, expected the echoed input {values!r}"
    else:
        for needle in (values["message"], "42", "true", "0.5"):
            assert needle in result_text, f"#job-result {result_text!r} lacks {needle!r}"
    gb.assert_no_console_errors(driver, "job page (completed)")
    gb.screenshot(driver, "flow-job-completed", WIDTH)
    gb.log(f"job result: {result_text.strip()[:200]!r}")

    # The jobs table lists it as completed.
    gb.open_page(driver, "/dashboard/jobs")
    gb.assert_page_ok(driver, "jobs")
    tbody = gb.find(driver, "tbody#job-rows")
    assert tbody.get_attribute("data-live"), "tbody#job-rows has no data-live"
    row = gb.find(driver, f"tbody#job-rows tr[data-row-id='{job_id}']")
    gb.find(row, "a.job-link")
    badges = [gb.text_of(b) for b in gb.find_all(row, "span.badge")]
    assert "completed" in badges, f"the job's row has no 'completed' status badge (badges: {badges})"
    gb.assert_no_console_errors(driver, "jobs")


if __name__ == "__main__":
    gb.run("plugin_job_flow", flow)
