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
from typing import Any

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


LAYOUT = """() => {
  const box = (element, kind, text) => {
    const r = element.getBoundingClientRect();
    return {kind, text: text ?? element.textContent.trim(), left: r.left, right: r.right,
            top: r.top, bottom: r.bottom};
  };
  const visible = b => b.right - b.left > 0.5 && b.bottom - b.top > 0.5 && b.text !== "";
  return [...document.querySelectorAll('figure.chart')].map(figure => {
    const plot = figure.querySelector('.js-plotly-plot');
    const axes = {};
    plot.querySelectorAll('.xaxislayer-above, .yaxislayer-above').forEach((layer, index) => {
      const name = (layer.classList.contains('xaxislayer-above') ? 'x' : 'y') + index;
      axes[name] = [...layer.querySelectorAll('.xtick text, .ytick text')]
        .map(t => t.textContent.trim());
    });
    plot.querySelectorAll('.colorbar').forEach((bar, index) => {
      axes['colorbar' + index] = [...bar.querySelectorAll('.cbaxis text, .ytick text')]
        .map(t => t.textContent.trim());
    });
    const boxes = [];
    plot.querySelectorAll('.legend .bg').forEach(e => boxes.push(box(e, 'legend',
      [...plot.querySelectorAll('.legend .legendtext')].map(t => t.textContent).join(' | '))));
    plot.querySelectorAll('.annotation').forEach(e => boxes.push(box(e, 'annotation')));
    plot.querySelectorAll('.g-gtitle text').forEach(e => boxes.push(box(e, 'title')));
    plot.querySelectorAll('[class^="g-x"] text.xtitle, [class^="g-y"] text.ytitle, '
      + '.xtitle, .ytitle').forEach(e => boxes.push(box(e, 'axis title')));
    plot.querySelectorAll('.xtick text, .ytick text').forEach(e => boxes.push(box(e, 'tick')));
    plot.querySelectorAll('.textpoint text').forEach(e => boxes.push(box(e, 'point label')));
    plot.querySelectorAll('.colorbar .cbtitle text').forEach(e => boxes.push(box(e, 'title')));
    const heatmap = [...plot.querySelectorAll('.heatmaplayer text, .hm text')]
      .filter(t => t.textContent.trim() !== '')
      .map(t => parseFloat(getComputedStyle(t).fontSize));
    const unique = [];
    const seen = new Set();
    for (const b of boxes.filter(visible)) {
      const key = [b.kind, b.left, b.top, b.right, b.bottom].join();
      if (!seen.has(key)) { seen.add(key); unique.push(b); }
    }
    return {figure: figure.dataset.figure, axes, boxes: unique, heatmap_text: heatmap};
  });
}"""
"""What the test reads from the rendered page: plotly's SVG class names for axes, legends,
annotations, titles and text."""


def chromium_for_tests() -> str:
    """A Chromium for a browser test: in CI (CI=true) installed when missing and never
    skipped; elsewhere the test skips, saying why, only when no Chromium can be had."""
    import pytest

    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    executable, why_not = chromium(install=in_ci or os.geteuid() == 0)
    if executable is None:
        if in_ci:
            pytest.fail(f"the browser test must run in CI: {why_not}")
        pytest.skip(why_not)
    return executable


@dataclass
class PageVisit:
    """What happened while the page was open."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    figures: int = 0
    rendered: int = 0
    layout: list[dict[str, Any]] = field(default_factory=list)
    """Per figure, from the rendered SVG: each axis's tick labels, every text box (legend,
    annotation, title, axis title, tick label, point label) and the heatmap text sizes."""

    def repeated_ticks(self) -> list[str]:
        """``figure/axis: label`` for every axis where two tick labels read the same."""
        found = []
        for chart in self.layout:
            for axis, labels in chart["axes"].items():
                shown = [label for label in labels if label.strip()]
                repeats = sorted({label for label in shown if shown.count(label) > 1})
                if repeats:
                    found.append(f"{chart['figure']}/{axis}: {repeats} in {shown}")
        return found

    def overlaps(self, tolerance: float = 1.0) -> list[str]:
        """``figure: a overlaps b`` for every two text boxes of a figure (legend, annotation,
        title, axis title, tick label, point label) that overlap by more than ``tolerance``
        px each way."""
        found = []
        for chart in self.layout:
            boxes = chart["boxes"]
            for i, first in enumerate(boxes):
                for second in boxes[i + 1 :]:
                    width = min(first["right"], second["right"]) - max(
                        first["left"], second["left"]
                    )
                    height = min(first["bottom"], second["bottom"]) - max(
                        first["top"], second["top"]
                    )
                    if width > tolerance and height > tolerance:
                        found.append(
                            f"{chart['figure']}: {first['kind']} {first['text']!r} overlaps "
                            f"{second['kind']} {second['text']!r}"
                        )
        return found

    def smallest_heatmap_text(self) -> float | None:
        sizes = [size for chart in self.layout for size in chart["heatmap_text"]]
        return min(sizes) if sizes else None

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
            seen.layout = page.evaluate(LAYOUT)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return seen
