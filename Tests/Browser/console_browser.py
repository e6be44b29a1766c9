"""The support console in a real browser: Debian's chromium through chromedriver and Selenium, against a
real `enroll-audit serve` on loopback (started by Tests/ServiceTests/ConsoleBrowserTests.swift, which
passes what it set up as one JSON argument).

Signs in, searches a user, opens the stalled enrollment and reads its hint, copies the ticket text, sees
a new event arrive live, downloads the export and verifies it with the CLI, filters the queue, opens the
dashboard; checks that hostile values render as text (on the DOM, not on the source), that the pages
fit a phone's width and 200% zoom, keyboard focus, and that the browser console logged no error.
Screenshots of each page at desktop and phone width go to the `screenshots` directory.

Exit 0 when every check passed; otherwise every failed check is printed and the exit status is 1.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

SETUP = json.loads(sys.argv[1])
BASE = SETUP["base_url"]
DESKTOP = (1280, 900)
PHONE = (390, 844)
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"FAILED: {what}", flush=True)
    return condition


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = SETUP.get("chromium", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {
        "download.default_directory": SETUP["downloads"],
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    service = Service(executable_path=SETUP.get("chromedriver", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": SETUP["downloads"]})
    return driver


def wait(driver, condition, seconds=15):
    return WebDriverWait(driver, seconds).until(condition)


def fits(driver, width, what):
    """No horizontal scrolling of the page at this width (tables scroll inside themselves)."""
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    check(overflow <= 1, f"{what}: the page is {overflow}px wider than a {width}px window")


def screenshots(driver, name):
    """The page at desktop and at phone width (whole height), and the 200% zoom check at half width."""
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        driver.set_window_size(width, height)
        time.sleep(0.2)
        fits(driver, width, f"{name} at {label} width")
        full = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, full + 120), 4000))
        time.sleep(0.2)
        driver.save_screenshot(os.path.join(SETUP["screenshots"], f"{name}-{label}.png"))
    # 200% zoom of a 1280px window lays the page out in 640 CSS pixels.
    driver.set_window_size(DESKTOP[0] // 2, DESKTOP[1])
    time.sleep(0.2)
    fits(driver, DESKTOP[0] // 2, f"{name} at 200% zoom")
    driver.set_window_size(*DESKTOP)


def dom_is_inert(driver, what):
    """No element, attribute or URL came from the data: the console's one script, no handlers."""
    facts = driver.execute_script("""
        const all = Array.from(document.querySelectorAll('*'));
        return {
          scripts: Array.from(document.scripts).map(s => s.getAttribute('src')),
          handlers: all.filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
          javascriptLinks: Array.from(document.querySelectorAll('a[href]'))
            .filter(a => !a.getAttribute('href').startsWith('/console') && a.getAttribute('href') !== '#content').length,
          injected: window.__injected === true,
          foreign: all.filter(e => ['IMG', 'IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName)).length,
        };
    """)
    check(facts["scripts"] == ["/console/console.js"], f"{what}: scripts {facts['scripts']}")
    check(facts["handlers"] == 0, f"{what}: {facts['handlers']} elements have event handler attributes")
    check(facts["javascriptLinks"] == 0, f"{what}: a link leaves the console")
    check(not facts["injected"], f"{what}: an injected script ran")
    check(facts["foreign"] == 0, f"{what}: an element from the data is in the DOM")


def post_events(lines):
    request = urllib.request.Request(
        BASE + "/v1/events", data=("\n".join(lines) + "\n").encode(), method="POST",
        headers={"Content-Type": "application/x-ndjson", "Authorization": "Bearer " + SETUP["ingest_token"]})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status


def main():
    os.makedirs(SETUP["screenshots"], exist_ok=True)
    driver = browser()
    try:
        run(driver)
        logs = driver.get_log("browser")
        errors = [entry for entry in logs if entry["level"] == "SEVERE"]
        check(not errors, f"the browser console logged errors: {errors}")
    finally:
        driver.quit()
    if failures:
        print(f"{len(failures)} checks failed", flush=True)
        return 1
    print("ok: every browser check passed", flush=True)
    return 0


def run(driver):
    # Sign in.
    driver.get(BASE + "/console/login")
    screenshots(driver, "login")
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    check(driver.switch_to.active_element.get_attribute("class") == "skip",
          "the first Tab stop is the skip link")
    token = driver.find_element(By.ID, "token")
    label = driver.find_element(By.CSS_SELECTOR, "label[for=token]")
    check(label.text.startswith("Access token"), "the token field is labelled")
    token.send_keys(SETUP["token"])
    token.send_keys(Keys.ENTER)
    wait(driver, expected_conditions.title_contains("Search"))
    check(driver.current_url.rstrip("/").endswith("/console"), f"signed in to the search: {driver.current_url}")

    # Search a user (by the beginning of the UPN, any case) and open the stalled enrollment.
    box = driver.find_element(By.ID, "q")
    box.send_keys(SETUP["user_prefix"].upper())
    box.send_keys(Keys.ENTER)
    wait(driver, expected_conditions.presence_of_element_located((By.ID, "results")))
    check(SETUP["user"] not in driver.current_url, "the UPN is not in the URL")
    links = driver.find_elements(By.CSS_SELECTOR, "table.results a")
    check(any(link.text == SETUP["stalled"] for link in links), f"the search found {SETUP['stalled']}")
    screenshots(driver, "search")
    link = next(link for link in driver.find_elements(By.CSS_SELECTOR, "table.results a")
                if link.text == SETUP["stalled"])
    link.send_keys(Keys.ENTER)  # keyboard, not a click
    wait(driver, expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "article.enrollment")))

    # The hint.
    check(driver.find_element(By.CSS_SELECTOR, ".problem .fix").text == "Fix: " + SETUP["fix"],
          "the enrollment page shows the fix of its failure")
    check(driver.find_element(By.CSS_SELECTOR, ".problem .cause").text == SETUP["cause"],
          "the enrollment page shows the cause of its failure")
    check(any(badge.text == "stalled" for badge in driver.find_elements(By.CSS_SELECTOR, ".badge.stalled")),
          "the stalled badge")
    ids = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "table.ids td bdi")]
    check(set(SETUP["ids"]) <= set(ids), f"every id it is known by: {ids}")

    # Copy as text for a ticket (the button appears with the script).
    copy = driver.find_element(By.CSS_SELECTOR, "button.copy-ticket")
    check(copy.is_displayed(), "the copy button is shown once the script runs")
    copy.click()
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".copied").text != "")
    check(driver.find_element(By.CSS_SELECTOR, ".copied").text in ("Copied.", "Select the text below and copy it."),
          "copying says what it did")
    ticket = driver.find_element(By.CSS_SELECTOR, "pre.ticket-text").text
    check(ticket.startswith("Enrollment " + SETUP["stalled"]) and ("Fix: " + SETUP["fix"]) in ticket,
          "the ticket text has the enrollment and the fix")

    # A new event of this enrollment arrives live.
    before = len(driver.find_elements(By.CSS_SELECTOR, "table.timeline tbody tr"))
    check(post_events([SETUP["live_event"]]) == 200, "the live event was ingested")
    try:
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "table.timeline tr.outcome-new"), 20)
    except Exception:
        pass
    rows = driver.find_elements(By.CSS_SELECTOR, "table.timeline tr.outcome-new")
    check(len(rows) == 1 and SETUP["live_type"] in rows[0].text, "the new event appeared in the timeline")
    check(len(driver.find_elements(By.CSS_SELECTOR, "table.timeline tbody tr")) == before + 1, "one row more")
    check(driver.find_element(By.CSS_SELECTOR, ".live").text == "1 new event arrived.", "the live region says so")
    screenshots(driver, "enrollment")

    # Download the export and verify it with the CLI.
    driver.find_element(By.LINK_TEXT, "Download export").click()
    expected = os.path.join(SETUP["downloads"], SETUP["stalled"] + ".ndjson")
    deadline = time.time() + 20
    while time.time() < deadline and not os.path.exists(expected):
        time.sleep(0.2)
    if check(os.path.exists(expected), f"the export was downloaded to {expected}: {os.listdir(SETUP['downloads'])}"):
        with open(expected, encoding="utf-8") as file:
            text = file.read()
        lines = [line for line in text.split("\n") if line.strip()]
        # The API's export carries proofs: the file proves itself against the log's verifier key.
        arguments = [SETUP["cli"], "verify", "--file", expected, "--key", SETUP["key"]]
        verified = subprocess.run(arguments, capture_output=True, text=True, timeout=60)
        check(verified.returncode == 0 and verified.stdout.startswith("ok:"),
              f"enroll-audit verify --file --key: {verified.returncode} {verified.stdout} {verified.stderr}")
        check("complete: the lines are exactly the events the checkpoint lists" in verified.stdout,
              f"the download is complete: {verified.stdout}")
        check(all('"proof":' in line for line in lines), "every line of the download carries its proof")
        check(len(lines) == SETUP["events"] + 1, f"the export has {len(lines)} lines, not {SETUP['events'] + 1}")

    # The queue, filtered by a reason, through the form.
    driver.find_element(By.LINK_TEXT, "Queues").click()
    wait(driver, expected_conditions.title_contains("Queues"))
    driver.find_element(By.PARTIAL_LINK_TEXT, "Failed").click()
    wait(driver, lambda d: "view=failed" in d.current_url)
    reason = driver.find_element(By.ID, "reason")
    reason.send_keys(SETUP["reason"])
    Select(driver.find_element(By.ID, "sort")).select_by_value("user")
    reason.send_keys(Keys.ENTER)
    wait(driver, lambda d: "reason=" in d.current_url)
    reasons = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "table.queue bdi.reason")]
    check(reasons and all(text.lower() == SETUP["reason"].lower() for text in reasons),
          f"the failed queue filtered by {SETUP['reason']}: {reasons[:5]}")
    total = driver.find_element(By.CSS_SELECTOR, "#queue-heading .total").text
    check(total == str(SETUP["reason_count"]), f"the queue counts {total}, the store {SETUP['reason_count']}")
    screenshots(driver, "queue")

    # The dashboard.
    driver.find_element(By.LINK_TEXT, "Dashboard").click()
    wait(driver, expected_conditions.title_contains("Fleet dashboard"))
    charts = driver.find_elements(By.CSS_SELECTOR, "figure.chart svg[role=img]")
    check(len(charts) == 4, f"four charts, not {len(charts)}")
    check(len(driver.find_elements(By.CSS_SELECTOR, "figure.chart table.chart-data")) == 4, "each with its table")
    screenshots(driver, "dashboard")

    # Hostile values, as the DOM has them.
    hostile = SETUP["hostile"]
    driver.get(BASE + "/console/enrollments/" + SETUP["hostile_enrollment"])
    wait(driver, expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "article.enrollment")))
    dom_is_inert(driver, "the hostile enrollment")
    text = driver.find_element(By.TAG_NAME, "main").text
    for visible in hostile["visible"]:
        check(visible in text, f"the hostile enrollment shows {visible!r} as text")
    for raw in hostile["never"]:
        check(raw not in driver.execute_script("return document.body.textContent"),
              f"the raw character {raw!r} never reaches the page")
    check(driver.find_element(By.CSS_SELECTOR, ".problem .reason").text == hostile["reason_text"],
          "the hostile reason is the reason's text")
    screenshots(driver, "hostile")
    for path, what in (("/console/queues?view=failed", "the failed queue"), ("/console/dashboard", "the dashboard")):
        driver.get(BASE + path)
        dom_is_inert(driver, what)
        page = driver.execute_script("return document.querySelector('main').textContent")
        check(hostile["reason_text"] in page, f"{what} shows the hostile reason as text")
    svg_texts = driver.execute_script(
        "return Array.from(document.querySelectorAll('svg text, svg title')).map(t => t.textContent)")
    check(any(hostile["reason_text"] in text for text in svg_texts), "the failures chart has the reason as SVG text")


if __name__ == "__main__":
    sys.exit(main())
