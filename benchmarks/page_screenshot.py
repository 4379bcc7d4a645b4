"""Writes docs/screenshot.png: the web page after coloring a demo photo, in headless Chromium.

Run: python benchmarks/page_screenshot.py (needs Debian's chromium and the playwright package)
"""

import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright
from skimage import data

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import running_server  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def main() -> None:
    with running_server() as (url, _), tempfile.TemporaryDirectory() as folder, \
            sync_playwright() as playwright:
        photo = Path(folder) / "rocket.png"
        Image.fromarray(data.rocket()).convert("L").save(photo)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 900})
        page.goto(url)
        page.locator("#file").set_input_files(str(photo))
        page.locator("#result").wait_for(state="visible", timeout=60_000)
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"), full_page=True)
        browser.close()
    print("wrote docs/screenshot.png")


if __name__ == "__main__":
    main()
