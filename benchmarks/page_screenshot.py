"""Writes docs/screenshot.png and docs/screenshot-phone.png: the web page after coloring one
of its example photos, on a laptop screen (1280 x 800) and on a phone (390 x 844), in
headless Chromium.

Run: python benchmarks/page_screenshot.py (needs Debian's chromium and the playwright package)
"""

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import running_server  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SCREENS = {"screenshot.png": {"viewport": {"width": 1280, "height": 800}},
           "screenshot-phone.png": {"viewport": {"width": 390, "height": 844},
                                    "has_touch": True, "is_mobile": True,
                                    "device_scale_factor": 2}}


def main() -> None:
    with running_server() as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, screen in SCREENS.items():
            page = browser.new_context(**screen).new_page()
            page.goto(url)
            expect(page.locator("#size option")).not_to_have_count(0)
            page.locator(".example", has_text="Rocket").click()
            expect(page.locator("#status")).to_contain_text("Done", timeout=60_000)
            page.screenshot(path=str(ROOT / "docs" / name))
            print(f"wrote docs/{name}")
        browser.close()


if __name__ == "__main__":
    main()
