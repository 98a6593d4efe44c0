"""A headless Chromium for the report's browser test: found on the machine or installed.

The test opens the report with Playwright driving the system's Chromium (Playwright's own
browser download needs the internet, which CI lacks), records console errors and every
request the page makes, and saves a screenshot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-domain-reliability",
    "--metrics-recording-only",
]
"""Headless without a sandbox (root in a container) and with background networking off."""
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


def find_chromium() -> str | None:
    """A Chromium executable already on the machine."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(install: bool) -> tuple[str | None, str]:
    """A Chromium executable, installing Debian's package when asked and able; else why not."""
    found = find_chromium()
    if found or not install:
        return found, "no chromium on this machine (apt-get install -y chromium)"
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return None, "no chromium, and apt-get cannot run here (not Debian, or not root)"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=900)
        if done.returncode != 0:
            return None, f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}"
    return find_chromium(), "apt-get install chromium ran but no chromium was found"


@dataclass
class PageVisit:
    """What happened while the page was open."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    figures: int = 0
    rendered: int = 0

    @property
    def remote_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


def visit(executable: str, page_file: Path, screenshot: Path) -> PageVisit:
    """Open ``page_file`` headless, wait for every figure to render, save a screenshot."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    seen = PageVisit()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=ARGUMENTS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda message: (
                    seen.errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: seen.errors.append(str(error)))
            page.on("request", lambda request: seen.requests.append(request.url))
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            seen.figures = page.locator("figure.chart").count()
            with suppress(PlaywrightTimeout):  # a figure that never renders is counted below
                page.wait_for_function(
                    "n => document.querySelectorAll('figure.chart .js-plotly-plot .main-svg')"
                    ".length >= n",
                    arg=seen.figures,
                    timeout=20_000,
                )
            seen.rendered = page.evaluate(
                "() => [...document.querySelectorAll('figure.chart')].filter(f => "
                "f.querySelector('.js-plotly-plot .main-svg') && "
                "f.querySelector('.js-plotly-plot').getBoundingClientRect().height > 100).length"
            )
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return seen
