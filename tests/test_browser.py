"""Drives the real page in headless Chromium, as a person would."""

import io
import shutil
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.conftest import color_photo
from tests.servers import running_server

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists() or not shutil.which("chromium"),
                                 reason="Debian's chromium is not installed (.ci/run installs it)")]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def shown_result(page) -> np.ndarray:
    """The colored photo as the page shows it, (H, W, 3) uint8."""
    width, height, pixels = page.evaluate("""() => {
        const canvas = document.createElement("canvas");
        [canvas.width, canvas.height] = [after.naturalWidth, after.naturalHeight];
        const context = canvas.getContext("2d");
        context.drawImage(after, 0, 0);
        const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
        return [canvas.width, canvas.height, Array.from(rgba)];
    }""")
    return np.array(pixels, np.uint8).reshape(height, width, 4)[..., :3]


def page_with_result(playwright, url: str, photo: Path, engine: str = "server"):
    """(browser, page): the page at url, after it colored the photo on the server or in the
    browser (engine)."""
    from playwright.sync_api import expect

    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page()
    page.goto(url)
    expect(page.locator("#size option")).not_to_have_count(0)
    page.locator("#engine").select_option(engine)
    page.locator("#file").set_input_files(str(photo))
    expect(page.locator("#status")).to_contain_text("Done", timeout=60_000)
    return browser, page


@pytest.fixture
def server_url():
    with running_server("--device", "cpu") as (url, _):
        yield url


def test_upload_compare_and_download_in_a_real_browser(server_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "grandma.png"
    color_photo(11, (320, 240)).convert("L").save(photo)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone screen
        page.goto(server_url)
        expect(page.locator("#size option")).not_to_have_count(0)
        page.locator("#size").select_option("128")
        page.locator("#file").set_input_files(str(photo))
        expect(page.locator("#result")).to_be_visible(timeout=60_000)
        expect(page.locator("#status")).to_contain_text("Done")
        natural = page.eval_on_selector("#after", "img => [img.naturalWidth, img.naturalHeight]")
        assert natural == [320, 240]
        slider = page.locator("#slider")
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")  # keyboard moves the comparison
        assert slider.input_value() == "53"
        assert page.eval_on_selector("#before-clip", "e => e.style.width") == "53%"
        page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        with page.expect_download() as download_info:
            page.locator("#download").click()
        saved = tmp_path / "downloaded.png"
        download_info.value.save_as(saved)
        browser.close()
    result = Image.open(saved)
    assert result.size == (320, 240) and result.mode == "RGB"


def test_a_bad_file_says_why_in_plain_words_and_keeps_the_last_good_result(server_url,
                                                                             tmp_path):
    from playwright.sync_api import expect, sync_playwright

    junk, strip, good, other = (tmp_path / name for name in
                                ("notes.png", "strip.png", "good.png", "other.png"))
    junk.write_text("not a photo")
    Image.new("L", (300_000, 1)).save(strip)
    color_photo(2, (90, 60)).convert("L").save(good)
    color_photo(4, (70, 80)).convert("L").save(other)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server_url)
        status, result = page.locator("#status"), page.locator("#result")
        page.locator("#file").set_input_files(str(junk))  # nothing shown yet: nothing stays
        expect(status).to_contain_text("not an image the server can read", timeout=30_000)
        expect(result).to_be_hidden()
        page.locator("#file").set_input_files(str(good))
        expect(status).to_contain_text("Done", timeout=60_000)
        good_before = page.locator("#before").get_attribute("src")
        page.locator("#file").set_input_files(str(strip))
        expect(status).to_contain_text("too long and thin to color. The last photo stays",
                                       timeout=30_000)
        assert "--" not in status.inner_text()  # no command-line options for a visitor
        expect(result).to_be_visible()
        assert page.locator("#before").get_attribute("src") == good_before
        page.locator("#file").set_input_files(str(other))  # the next good one, its own before
        expect(status).to_contain_text("Done", timeout=60_000)
        assert page.locator("#before").get_attribute("src") != good_before
        browser.close()


def test_moving_the_vividness_slider_colors_the_photo_again(server_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "street.png"
    color_photo(13, (160, 120)).convert("L").save(photo)
    with sync_playwright() as playwright:
        browser, page = page_with_result(playwright, server_url, photo)
        page.locator("#vividness").focus()
        with page.expect_request("**/api/colorize"):
            page.keyboard.press("Home")  # to the slider's minimum: no color at all
        expect(page.locator("#vividness-value")).to_have_text("0.00")
        expect(page.locator("#status")).to_contain_text("Done", timeout=60_000)
        with page.expect_download() as download_info:
            page.locator("#download").click()
        saved = tmp_path / "downloaded.png"
        download_info.value.save_as(saved)
        browser.close()
    gray = Image.open(saved).convert("RGB")
    rgb = np.asarray(gray, int)
    assert gray.size == (160, 120) and np.abs(rgb - rgb[..., :1]).max() <= 1


def test_quick_slider_steps_end_on_the_result_of_what_the_slider_says(tmp_path):
    # One worker and no queue: overlapping requests are answered 503, as on a busy server.
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "harbor.png"
    color_photo(17, (160, 120)).convert("L").save(photo)
    with running_server("--device", "cpu", "--queue", "0") as (url, _), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        expect(page.locator("#size option")).not_to_have_count(0)
        page.locator("#size").select_option("128")
        page.locator("#file").set_input_files(str(photo))
        expect(page.locator("#status")).to_contain_text("Done", timeout=60_000)
        slider = page.locator("#vividness")
        start = float(slider.input_value())
        # The slider starts at the model's own default, not at a neighbor of it on its scale.
        assert start == httpx.get(f"{url}/api/models").json()["default_vividness"]
        slider.focus()
        for _ in range(round((2.0 - start) / 0.05)):
            page.keyboard.press("ArrowRight")  # to 2.0 in quick keyboard steps of 0.05
            page.wait_for_timeout(120)
        expect(page.locator("#vividness-value")).to_have_text("2.00")
        expect(page.locator("#result")).to_have_attribute("data-vividness", "2",
                                                          timeout=60_000)
        expect(page.locator("#status")).to_contain_text("Done")
        shown = shown_result(page)
        offered = page.evaluate("() => download.href === after.src")
        browser.close()
        expected = httpx.post(f"{url}/api/colorize", files={"file": photo.read_bytes()},
                              data={"size": "128", "vividness": "2"}, timeout=60)
    assert offered  # the download offers what is shown
    wanted = np.asarray(Image.open(io.BytesIO(expected.content)).convert("RGB"))
    assert np.abs(shown.astype(int) - wanted).max() <= 1


def test_the_api_docs_render_offline_in_a_real_browser(server_url):
    # FastAPI writes OpenAPI 3.1, which only Swagger UI 5 renders; all of it from the server.
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        foreign = []
        page.on("request", lambda request: foreign.append(request.url)
                if not request.url.startswith(server_url) else None)
        page.goto(f"{server_url}/docs")
        expect(page.get_by_text("/api/colorize")).to_be_visible(timeout=30_000)
        browser.close()
    assert foreign == []


def test_the_api_docs_try_it_out_colors_a_photo_with_its_prefilled_values(server_url,
                                                                          tmp_path):
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "old.png"
    color_photo(3, (64, 48)).convert("L").save(photo)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{server_url}/docs")
        operation = page.locator("#operations-default-colorize_api_colorize_post")
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.locator("input[type=file]").set_input_files(str(photo))
        operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table tbody .response-col_status").first
        expect(status).to_have_text("200", timeout=60_000)
        browser.close()


HINT_REDDENING = 40  # red minus the mean of green and blue, in 8-bit levels
SLEEVE = (60, 230)  # a point on the astronaut's gray suit sleeve, in the 320 px photo


def astronaut_photo(path: Path) -> None:
    """scikit-image's public-domain astronaut portrait, gray, 320x320."""
    from skimage import data

    gray = Image.fromarray(data.astronaut()).convert("L")
    gray.resize((320, 320), Image.Resampling.LANCZOS).save(path)


@pytest.mark.parametrize("engine", ["server", "browser"])
def test_a_red_hint_colors_its_region_red_and_leaves_the_rest_alone(server_url, tmp_path,
                                                                    engine):
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "astronaut.png"
    astronaut_photo(photo)
    x, y = SLEEVE
    with sync_playwright() as playwright:
        browser, page = page_with_result(playwright, server_url, photo, engine)
        automatic = shown_result(page)
        expect(page.locator("#hints")).to_be_visible()
        page.locator(".preset", has_text="Red").click()
        box = page.locator("#after").bounding_box()
        page.locator("#compare").click(position={"x": box["width"] * x / 320,
                                                 "y": box["height"] * y / 320})
        expect(page.locator("#hint-list li")).to_have_count(1)
        expect(page.locator("#result")).to_have_attribute("data-hints", "1", timeout=60_000)
        expect(page.locator("#result")).not_to_have_class("result stale", timeout=60_000)
        hinted = shown_result(page)
        page.screenshot(path=str(tmp_path / "hinted.png"), full_page=True)
        marker = page.locator(".hint-marker")
        label = marker.get_attribute("aria-label")
        marker.focus()
        page.keyboard.press("ArrowDown")  # the keyboard moves a hint ...
        expect(marker).not_to_have_attribute("aria-label", label)
        page.keyboard.press("Delete")  # ... and removes it
        expect(page.locator("#hint-list li")).to_have_count(0)
        expect(page.locator("#result")).to_have_attribute("data-hints", "0", timeout=60_000)
        expect(page.locator("#status")).to_contain_text("Done", timeout=60_000)
        without = shown_result(page)
        browser.close()
    around = (slice(y - 12, y + 12), slice(x - 12, x + 12))  # the sleeve around the hint

    def redness(image: np.ndarray) -> float:
        region = image[around].astype(int)
        return float((region[..., 0] - (region[..., 1] + region[..., 2]) / 2).mean())

    # The automatic suit is orange-brown (it is orange in the original): the hint adds red.
    assert redness(hinted) > redness(automatic) + HINT_REDDENING
    rows, columns = np.mgrid[:320, :320]
    far = np.hypot(columns - x, rows - y) > 0.4 * 320  # face, hair, helmet, the model rocket
    change = np.abs(hinted.astype(int) - automatic).mean(axis=2)
    assert change[far].mean() < 4  # the rest of the photo barely changes
    assert np.abs(without.astype(int) - automatic).max() <= 1


def test_coloring_in_the_browser_uploads_nothing_and_matches_the_server(server_url, tmp_path):
    from playwright.sync_api import sync_playwright

    photo = tmp_path / "odd.png"
    color_photo(5, (257, 191)).convert("L").save(photo)  # odd sides: padding and resizing
    with sync_playwright() as playwright:
        browser, page = page_with_result(playwright, server_url, photo, engine="browser")
        shown = shown_result(page)
        said = page.locator("header").inner_text()
        page.locator("#engine").select_option("server")
        said_for_server = page.locator("header").inner_text()
        fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        browser.close()
    assert f"{server_url}/api/model.onnx" in fetched
    assert f"{server_url}/api/model.weights" in fetched  # the weights the ONNX file reads
    assert not [url for url in fetched if "/api/colorize" in url]  # the photo stayed
    # The page says what is true in each mode.
    assert "never leaves this device" in said and "server" not in said
    assert "goes to the server that serves this page" in said_for_server
    expected = httpx.post(f"{server_url}/api/colorize", files={"file": photo.open("rb")},
                          timeout=60)
    wanted = np.asarray(Image.open(io.BytesIO(expected.content)).convert("RGB"))
    assert np.abs(shown.astype(int) - wanted).max() <= 1
