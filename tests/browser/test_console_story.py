"""The organiser's whole story in a real browser, on PostgreSQL with two server processes.

Sign in with the one-time password ``server init --owner`` printed, choose a real
one, make a venue with seats, an event, a ticket type, an order (and a bulk order
with progress), find the holder, make an enrolment code; a real kiosk process enrols
with it *through the other server process*, scans and pushes; the dashboard, open on
the first process all along, shows the admits without a reload; refund a ticket; the
CSV export matches the database.  On every page axe-core (run in the page) finds no
serious or critical violation, the page fits a phone's width, and a screenshot is
taken at desktop and phone width (kept in ``ADMITONE_SCREENSHOTS`` when set, as
``make screenshots`` does for ``docs/screenshots``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.conftest import AXE, DESKTOP, PHONE
from tests.live_server import ADMITONE, ServerProcess
from tests.pg import PostgresCluster

OWNER = "owner@example.org"
NEW_PASSWORD = "a long and private passphrase"
JAKARTA = ZoneInfo("Asia/Jakarta")
DEADLINE = 30.0
"""Seconds to wait for a page to show what it must (a condition, never a sleep)."""


@dataclass
class Servers:
    console: ServerProcess
    other: ServerProcess
    workdir: Path


@pytest.fixture(scope="module")
def servers(
    pg_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    workdir = tmp_path_factory.mktemp("story")
    name = f"story_{os.getpid()}"
    pg_cluster.execute(f"CREATE DATABASE {name}")
    url = pg_cluster.url(name)
    console = ServerProcess(url, workdir)
    console.init("--owner", OWNER)
    console.start()
    other = ServerProcess(url, workdir)  # the same database and keys: one server, two processes
    other.start()
    try:
        yield Servers(console, other, workdir)
    finally:
        other.stop()
        console.stop()


@dataclass
class Visit:
    """The browser, and what every page it shows must pass."""

    driver: WebDriver
    base: str
    shots: Path
    seen: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.driver.get(self.base + path)

    def wait_for(self, css: str) -> Any:
        return WebDriverWait(self.driver, DEADLINE).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, css)
        )[0]

    def text(self, element_id: str) -> str:
        """An element's text read in the page (the live panel is replaced as it is read)."""
        found: str = self.driver.execute_script(
            "const e = document.getElementById(arguments[0]); return e ? e.textContent : '';",
            element_id,
        )
        return found.strip()

    def fill(self, element_id: str, value: str) -> None:
        element = self.driver.find_element(By.ID, element_id)
        self.driver.execute_script("arguments[0].value = arguments[1];", element, value)

    def type(self, element_id: str, value: str) -> None:
        element = self.driver.find_element(By.ID, element_id)
        element.clear()
        element.send_keys(value)

    def submit(self, form_css: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f"{form_css} button[type=submit]").click()

    def check(self, name: str) -> None:
        """axe-core finds nothing serious; the page fits a phone; screenshots taken."""
        self.seen.append(name)
        self.driver.execute_script(AXE.read_text())
        self.driver.set_script_timeout(60)
        violations = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done("
            "r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))));"
        )
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], (name, serious)
        for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
            self.driver.set_window_size(width, height)
            overflow = self.driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth;"
            )
            if label == "phone":
                assert overflow <= 1, (name, "wider than a phone by", overflow)
            full = self.driver.execute_script("return document.documentElement.scrollHeight;")
            self.driver.set_window_size(width, min(max(height, full + 120), 4000))
            self.driver.save_screenshot(str(self.shots / f"console-{name}-{label}.png"))
        self.driver.set_window_size(*DESKTOP)


def _local(moment: datetime) -> str:
    return moment.astimezone(JAKARTA).strftime("%Y-%m-%dT%H:%M")


def _csv_in_page(driver: WebDriver, path: str) -> str:
    text: str = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done);",
        path,
    )
    return text


def test_an_organiser_runs_an_event_from_the_browser(
    servers: Servers, browser: WebDriver, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("ADMITONE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = Visit(browser, servers.console.url, shots)
    one_time = re.search(r"one-time password \(.*\): (\S+)", servers.console.init_output)
    assert one_time is not None, servers.console.init_output

    # Signed out, the console is the sign-in page; a wrong password says so, in place.
    page.go("/console/events")
    page.wait_for("#f-email")
    assert "/console/login" in browser.current_url
    page.check("login")
    page.type("f-email", OWNER)
    page.type("f-password", "not the password")
    page.submit("main form")
    assert "wrong e-mail or password" in page.wait_for("p.error").text
    page.type("f-password", one_time.group(1))
    page.submit("main form")
    page.wait_for(".notice")  # a made-up password must be replaced
    (session,) = [c for c in browser.get_cookies() if c["name"] == "admitone_session"]
    assert session["secure"] is True  # served over HTTPS
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"

    page.go("/console/password")
    page.type("f-current", one_time.group(1))
    page.type("f-new", NEW_PASSWORD)
    page.submit("form[action$='/password']")
    page.wait_for("p.pill.ok")
    assert not browser.find_elements(By.CSS_SELECTOR, ".notice")
    page.check("password")

    # A venue with seats: rows A-C of 10, two accessible seats and a companion seat.
    page.go("/console/venues")
    page.type("f-name", "Harbour Hall")
    page.type("f-address", "Jl. Pelabuhan 1, Jakarta")
    page.submit("form[action$='/venues']")
    page.wait_for("#f-rows")
    page.check("venues-empty-venue")
    page.type("f-name", "A")
    page.type("f-rows", "A-C")
    page.type("f-seats_per_row", "10")
    page.type("f-accessible", "A/1, A/2")
    page.type("f-companion", "A/3")
    page.submit("form[action$='/sections']")
    page.wait_for(".seatmap svg")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".seatmap rect.seat")) == 30
    assert len(browser.find_elements(By.CSS_SELECTOR, ".seatmap rect.accessible")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, ".seatmap rect.companion")) == 1
    page.check("venue")

    # An event: a wrong field is named beside it, and the form keeps what was typed.
    now = datetime.now(UTC)
    page.go("/console/events/new")
    page.type("f-name", "Harbour Jazz Night")
    Select(browser.find_element(By.ID, "f-venue_id")).select_by_visible_text("Harbour Hall")
    Select(browser.find_element(By.ID, "f-timezone")).select_by_visible_text("Asia/Jakarta")
    page.fill("f-starts_at", _local(now - timedelta(hours=1)))
    page.fill("f-ends_at", _local(now + timedelta(hours=4)))
    page.fill("f-capacity", "-5")
    page.submit("main form")
    error = page.wait_for("#e-capacity")
    assert "greater than or equal to 0" in error.text
    assert browser.find_element(By.ID, "f-name").get_attribute("value") == "Harbour Jazz Night"
    page.check("event-form-error")
    page.fill("f-capacity", "2000")
    browser.find_element(By.ID, "f-allow_reentry").click()
    page.submit("main form")
    page.wait_for("#q")
    event_id = int(browser.current_url.rstrip("/").rsplit("/", 1)[1])

    # A ticket type, then an order of three and a bulk order of 1,200 with progress.
    browser.find_element(By.CSS_SELECTOR, "details summary").click()
    page.type("f-code", "GA")
    page.type("f-name", "General admission")
    page.type("f-price_cents", "150000")
    page.check("event-ticket-type-form")  # with its selling fields (quota, early bird, …)
    page.submit("form[action$='/ticket-types']")
    page.wait_for("#issue-form")
    page.check("event")
    page.type("f-quantity", "3")
    page.type("f-holder_name", "Dewi Sari")
    page.type("f-buyer_name", "Budi Santoso")
    page.type("f-buyer_email", "budi@example.org")
    page.submit("#issue-form")
    page.wait_for("table code")
    first_order = int(browser.current_url.rstrip("/").rsplit("/", 1)[1])
    assert len(browser.find_elements(By.CSS_SELECTOR, "#tickets tbody tr")) == 3
    # Budi's confirmation waits in the outbox: this server has no mail server set.
    mail_row = browser.find_element(By.CSS_SELECTOR, "#mail tbody tr").text
    assert "budi@example.org" in mail_row
    assert "waiting" in mail_row
    assert "No mail server is configured" in browser.page_source
    page.check("order")
    page.go(f"/console/events/{event_id}")
    page.type("f-quantity", "1200")
    page.type("f-holder_name", "")
    page.type("f-buyer_name", "Harbour Corp")
    page.submit("#issue-form")
    WebDriverWait(browser, 120).until(lambda d: "/console/orders/" in d.current_url)
    assert "1200" in browser.find_element(By.CSS_SELECTOR, ".card").text
    progress = browser.execute_script(
        "return window.performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/more')).length;"
    )
    assert progress == 0  # a new page now; the parts were posted by the previous one

    # Find the holder by part of her name, any case.
    page.go(f"/console/events/{event_id}/tickets?q=dewi")
    rows = page.driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 3
    assert all("Dewi Sari" in r.text for r in rows)
    page.check("search")

    # An enrolment code for a gate; a real kiosk enrols with it through the *other*
    # server process, scans two of the order's tickets and pushes.
    page.go("/console/kiosks")
    browser.find_element(By.ID, "f-gate").send_keys("North Gate")
    page.fill("f-server", servers.other.url)
    page.submit("form[action$='/enrol-code']")
    code = page.wait_for("#enrol-code .code").text.strip()
    assert browser.find_elements(By.CSS_SELECTOR, "#enrol-code .qr svg")
    page.check("kiosks-enrolment-code")

    page.go(f"/console/events/{event_id}/doors")
    page.wait_for("#admitted")
    browser.execute_script("window.notReloaded = true;")
    assert page.text("admitted") == "0"
    page.check("doors-before")

    store = tmp_path / "kiosk.db"
    env = {**os.environ, "ADMITONE_DATA_DIR": str(tmp_path / "kiosk-data")}
    enrol = subprocess.run(
        [
            ADMITONE,
            "kiosk",
            "--store",
            str(store),
            "enrol",
            "--server",
            servers.other.url,
            "--code",
            code,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert enrol.returncode == 0, enrol.stderr
    with httpx.Client(
        base_url=servers.console.api,
        verify=servers.console.verify,
        headers={"Authorization": f"Bearer {servers.console.admin_token}"},
    ) as admin:
        tickets = admin.get(f"/orders/{first_order}/tickets").json()
    codes = [t["code"] for t in tickets]
    scanned = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.browser.kiosk_scan",
            str(store),
            codes[0],
            codes[1],
            codes[0],
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert scanned.stdout.split() == ["admitted", "admitted", "needs_exit_first"], scanned.stderr
    pushed = subprocess.run(
        [ADMITONE, "kiosk", "--store", str(store), "sync"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert pushed.returncode == 0, pushed.stderr

    # The dashboard on the first process shows them, by itself.
    WebDriverWait(browser, DEADLINE).until(lambda d: d.find_element(By.ID, "admitted").text == "2")
    assert browser.execute_script("return window.notReloaded === true;")
    assert page.text("inside") == "2"
    assert "North Gate" in page.text("doors")
    page.check("doors-live")

    # Refund the third ticket of the first order from its page.
    refunded = tickets[2]["ticket_id"]
    page.go(f"/console/tickets/{refunded}")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/refund'] button").click()
    assert "/refund" not in browser.current_url  # the browser asks for the reason first
    page.type("f-note-refund", "Guest cannot come; refunded at the box office")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/refund'] button").click()
    WebDriverWait(browser, DEADLINE).until(lambda d: "refunded" in d.page_source)
    assert "Guest cannot come" in browser.page_source
    page.check("ticket-refunded")
    page.go(f"/console/tickets/{tickets[0]['ticket_id']}")
    assert "North Gate" in browser.find_element(By.CSS_SELECTOR, "table").text  # history
    page.check("ticket-history")

    # The attendance export, fetched by the signed-in page, matches the database.
    exported = list(
        csv.DictReader(
            io.StringIO(_csv_in_page(browser, f"/console/events/{event_id}/export/attendance.csv"))
        )
    )
    assert len(exported) == 3 + 1200
    by_id = {row["ticket_id"]: row for row in exported}
    assert {t for t, row in by_id.items() if row["first_admitted_at"]} == {
        tickets[0]["ticket_id"],
        tickets[1]["ticket_id"],
    }
    assert by_id[refunded]["status"] == "refunded"
    assert {
        row["holder_name"]
        for row in exported
        if row["ticket_id"] in {t["ticket_id"] for t in tickets}
    } == {"Dewi Sari"}

    # Box office sells at the door: the guest is inside at once, and it is counted.
    page.go(f"/console/events/{event_id}/sales")
    page.type("f-buyer_name", "Walk-in Guest")
    page.submit("form[action$='/box-office']")
    result = page.wait_for("#door-result")
    assert "admitted" in result.text
    assert page.text("sold") != "0"
    page.check("sales-door-sale")

    # The remaining pages pass the same checks; the language switch works.
    for name, path in (
        ("seat-map", f"/console/events/{event_id}/seat-map"),
        ("keys", "/console/keys"),
        ("accounts", "/console/accounts"),
        ("events", "/console/events"),
    ):
        page.go(path)
        page.wait_for("main h1")
        page.check(name)
    browser.find_element(By.CSS_SELECTOR, "a[lang='id']").click()
    WebDriverWait(browser, DEADLINE).until(lambda d: "Acara" in d.page_source)
    page.check("events-indonesian")
    page.go(f"/console/events/{event_id}/doors")
    page.wait_for("#admitted")
    page.check("doors-indonesian")
    browser.find_element(By.CSS_SELECTOR, "a[lang='en']").click()
    page.wait_for("#admitted")

    # A first visit to the heaviest page weighs under 300 KB.
    weight = browser.execute_script(
        "const nav = performance.getEntriesByType('navigation')[0];"
        "return nav.decodedBodySize + performance.getEntriesByType('resource')"
        ".reduce((sum, e) => sum + e.decodedBodySize, 0);"
    )
    assert 0 < weight < 300_000, weight
    assert len(page.seen) >= 15
