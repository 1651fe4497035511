"""A guest's story in a real browser: the confirmation mail arrives (a real SMTP server on
loopback), its link opens the ticket page on a phone, the code on the screen is read by
the kiosk's own decoder from a screenshot, the guest gives the ticket to a friend, the
friend's mail arrives with the new page, and a synced kiosk process refuses the old
code and admits the new one.  axe-core finds nothing serious on any page; screenshots
at phone and desktop width (kept in ``ADMITONE_SCREENSHOTS`` when set).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from scanner import Keyring, verify
from scanner.decode import LayeredDecoder
from scanner.keys import public_from_raw
from tests.browser.conftest import AXE, DESKTOP, PHONE
from tests.live_server import ADMITONE, ServerProcess, free_port
from tests.server.test_mail import SENDER, Mailbox
from tests.server.test_wallets import apple_chain, google_account
from ui.demo.seed import enrol_code, seed_demo

DEADLINE = 30.0


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[ServerProcess, Mailbox]]:
    mailbox = Mailbox()
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    server = ServerProcess(f"sqlite:///{tmp_path / 'server.db'}", tmp_path)
    chain = apple_chain(tmp_path)
    credentials, _ = google_account(tmp_path)
    for name, value in {
        "wallet_pass_type_id": "pass.org.example.tickets",
        "wallet_team_id": "TEAM123456",
        "wallet_cert": chain["wallet_cert"],
        "wallet_key": chain["wallet_key"],
        "wallet_key_password": "pass phrase",
        "wallet_wwdr_cert": chain["wallet_wwdr_cert"],
        "google_wallet_issuer_id": "3388000000012345678",
        "google_wallet_credentials": credentials,
        "mail_host": "127.0.0.1",
        "mail_port": str(port),
        "mail_security": "none",
        "mail_sender": SENDER,
        "mail_retry_seconds": "0.2",
        "public_url": server.url,
    }.items():
        server.env[f"ADMITONE_SERVER_{name.upper()}"] = value
    server.init()
    server.start()
    try:
        yield server, mailbox
    finally:
        server.stop()
        smtp.stop()


def screen_code(driver: WebDriver, keyring: Keyring) -> str:
    """The QR code as the phone's screen shows it, read by the kiosk's decoder."""
    png = driver.get_screenshot_as_png()
    frame = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert frame is not None
    codes = LayeredDecoder(accept=lambda text: verify(text, keyring).genuine).decode(frame)
    assert len(codes) == 1, f"{len(codes)} codes on the screen"
    return codes[0].text


def check(driver: WebDriver, name: str, prefix: str = "guest") -> None:
    """axe-core finds nothing serious; the page fits a phone; screenshots taken."""
    driver.execute_script(AXE.read_text())
    driver.set_script_timeout(60)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done("
        "r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help}))));"
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], (name, serious)
    shots = os.environ.get("ADMITONE_SCREENSHOTS")
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        driver.set_window_size(width, height)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth;"
        )
        assert overflow <= 1, (name, label, "wider than the window by", overflow)
        if shots:
            full = driver.execute_script("return document.documentElement.scrollHeight;")
            driver.set_window_size(width, min(max(height, full + 120), 4000))
            driver.save_screenshot(str(Path(shots) / f"{prefix}-{name}-{label}.png"))
    driver.set_window_size(*PHONE)


def link_in(message: Any, ticket_id: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(rf"(https?://\S+/t/{ticket_id}\.\S+)", text)
    assert found, text
    return found.group(1)


def test_a_guest_gives_their_ticket_to_a_friend_and_the_kiosk_agrees(
    browser: WebDriver, world: tuple[ServerProcess, Mailbox], tmp_path: Path
) -> None:
    server, mailbox = world
    with httpx.Client(
        base_url=server.api,
        verify=server.verify,
        headers={"Authorization": f"Bearer {server.admin_token}"},
        timeout=30,
    ) as admin:
        demo = seed_demo(admin, general=0)
        placed = admin.post(
            "/orders",
            json={
                "event_id": demo.event_id,
                "buyer_name": "Rina Kusuma",
                "buyer_email": "rina@example.org",
                "items": [{"ticket_type": "GA", "holder_name": "Rina Kusuma"}],
            },
        ).json()
        keyring = Keyring(
            {
                k["kid"]: public_from_raw(bytes.fromhex(k["public_key_hex"]))
                for k in admin.get("/keys").json()
            }
        )
        code = enrol_code(admin, demo.event_id, "North Gate")
    ticket = placed["tickets"][0]

    # A kiosk enrols and pulls the manifest before anything changes.
    store = tmp_path / "kiosk.db"
    env = {**os.environ, "ADMITONE_DATA_DIR": str(tmp_path / "kiosk-data")}

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ADMITONE, "kiosk", "--store", str(store), *args],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip

    enrolled = kiosk("enrol", "--server", server.url, "--code", code)
    assert enrolled.returncode == 0, enrolled.stderr

    # The buyer's mail arrives; its link opens the ticket on a phone.
    (confirmation,) = mailbox.wait_for(1)
    link = link_in(confirmation, ticket["ticket_id"])
    browser.set_window_size(*PHONE)
    browser.get(link)
    WebDriverWait(browser, DEADLINE).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".code svg"))
    assert screen_code(browser, keyring) == ticket["code"]
    wallets = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".wallet")]
    assert wallets == ["Add to Apple Wallet", "Save to Google Wallet"]
    check(browser, "ticket")

    # Give it to a friend.
    browser.find_element(By.CSS_SELECTOR, "summary").click()
    browser.find_element(By.ID, "name").send_keys("Budi Santoso")
    browser.find_element(By.ID, "email").send_keys("budi@example.org")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, DEADLINE).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error"))
    assert "Tick the box" in browser.find_element(By.CSS_SELECTOR, ".error").text
    check(browser, "transfer-unconfirmed")
    browser.find_element(By.ID, "understand").click()
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, DEADLINE).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".notice"))
    assert "Budi Santoso" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    new_code = screen_code(browser, keyring)
    assert new_code != ticket["code"]
    claims = verify(new_code, keyring).claims
    assert claims is not None
    check(browser, "transferred")

    # The friend's mail carries the new page; the old link shows a void ticket.
    messages = mailbox.wait_for(2)
    friend = next(m for m in messages if "budi@example.org" in m["To"])
    new_link = link_in(friend, claims.ticket_hex)
    assert browser.current_url.split("?")[0] == new_link
    browser.get(link)
    WebDriverWait(browser, DEADLINE).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".void"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".code svg")
    check(browser, "void")

    # The kiosk's next pull brings the revocation: old code refused, new one admitted.
    synced = kiosk("sync")
    assert synced.returncode == 0, synced.stderr
    scanned = subprocess.run(
        [sys.executable, "-m", "tests.browser.kiosk_scan", str(store), ticket["code"], new_code],
        capture_output=True, text=True, env=env, timeout=120, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert scanned.stdout.split() == ["revoked", "admitted"], scanned.stderr
