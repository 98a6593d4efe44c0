"""The reports open in a real browser, offline: every figure renders, nothing errs, nothing
leaves the machine. Headless Chromium (the machine's, or Debian's installed by the test).

In CI (CI=true) the test installs Chromium when it is missing and never skips; elsewhere it
skips, saying why, only when no Chromium can be had. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from servsim import SweepResults, report
from tests.browser import chromium_for_tests, visit
from tests.conftest import ROOT
from tests.report_helpers import small_run, swept_folder

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> str:
    return chromium_for_tests()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    return {
        "report": report.write_report(
            SweepResults.from_folder(swept_folder(folder / "sweep")), folder / "sweep.html"
        ),
        "run-report": report.write_report(small_run(), folder / "run.html"),
    }


@pytest.mark.parametrize("name", ["report", "run-report"])
def test_the_report_renders_offline_in_chromium(browser, reports, name):
    screenshot = ARTIFACTS / f"{name}.png"
    seen = visit(browser, reports[name], screenshot)
    print(f"screenshot: {screenshot}")
    assert seen.errors == [], f"console errors: {seen.errors}"
    assert seen.figures >= 3
    assert seen.rendered == seen.figures, (
        f"{seen.figures - seen.rendered} of {seen.figures} figures did not render"
    )
    assert seen.remote_requests == [], f"requests left the page: {seen.remote_requests}"
    assert seen.requests and seen.requests[0].startswith("file:")
    assert screenshot.stat().st_size > 10_000
