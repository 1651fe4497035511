"""A real browser: Debian's chromium, driven through chromium-driver by Selenium.

Never a downloaded browser: the executable and the driver are the system's
(``packaging/bootstrap-dev.sh`` installs them).  Missing on a laptop, these tests
skip and say so; in CI (``CI`` set) they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ADMITONE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ADMITONE_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = Path(__file__).parents[1] / "vendor" / "axe-core" / "axe.min.js"
DESKTOP = (1280, 900)
PHONE = (390, 844)


def _missing() -> str:
    for name, path in (("chromium", CHROMIUM), ("chromium-driver", CHROMEDRIVER)):
        if not (Path(path).exists() or shutil.which(path)):
            return f"{name} is not installed ({path}); the bootstrap installs it"
    return ""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    problem = _missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(f"{problem} (skipped on this laptop only; CI installs it)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en-GB",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(flag)
    options.accept_insecure_certs = True  # the test server's own self-signed certificate
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
