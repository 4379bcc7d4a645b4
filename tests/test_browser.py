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
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return browser, colored_page(browser.new_page(), url, photo, engine)


def colored_page(page, url: str, photo: Path, engine: str = "server"):
    """The page at url, after it colored the photo on the server or in the browser."""
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.locator("#size option")).not_to_have_count(0)
    page.locator("#engine").select_option(engine)
    page.locator("#file").set_input_files(str(photo))
    expect(page.locator("#result")).to_have_attribute("data-engine", engine, timeout=120_000)
    expect(page.locator("#status")).to_contain_text("Done", timeout=60_000)
    return page


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
        divider = page.locator("#divider")
        divider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")  # keyboard moves the comparison
        expect(divider).to_have_attribute("aria-valuenow", "53")
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
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        fetched = []  # the page's requests and its worker's
        context.on("request", lambda request: fetched.append(request.url.split("?")[0]))
        page = colored_page(context.new_page(), server_url, photo, "browser")
        shown = shown_result(page)
        said = page.locator("header").inner_text()
        page.locator("#engine").select_option("server")
        said_for_server = page.locator("header").inner_text()
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


def box_of(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_on_a_laptop_the_photo_fills_the_screen_with_a_divider_and_the_controls_beside_it(
        server_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(server_url)
        expect(page.locator("#size option")).not_to_have_count(0)
        expect(page.locator("#another")).to_be_hidden()  # nothing to replace yet
        page.locator(".example", has_text="Astronaut").click()  # an example, one click
        expect(page.locator("#status")).to_contain_text("Done", timeout=60_000)
        page.screenshot(path=str(tmp_path / "laptop.png"))
        natural = page.eval_on_selector("#after", "img => [img.naturalWidth, img.naturalHeight]")
        photo = box_of(page, "#after")
        expect(page.locator("#drop")).to_be_hidden()  # the drop zone gave way ...
        expect(page.locator("#another")).to_be_visible()  # ... to a small control
        for label in ("Original", "Colorized"):
            expect(page.locator(".tag", has_text=label)).to_be_visible()
        controls = [box_of(page, selector) for selector in
                    ("#vividness", "#download", "#another", "#size")]
        # The divider follows a drag on the picture.
        divider = box_of(page, "#divider")
        page.mouse.move(divider["x"] + divider["width"] / 2, photo["y"] + photo["height"] / 2)
        page.mouse.down()
        page.mouse.move(photo["x"] + photo["width"] * 0.25, photo["y"] + photo["height"] / 2,
                        steps=5)
        page.mouse.up()
        dragged = int(page.locator("#divider").get_attribute("aria-valuenow"))
        clip = page.eval_on_selector("#before-clip", "e => e.getBoundingClientRect().width")
        browser.close()
    assert natural == [512, 512]
    # Fitted to the screen: never taller than the window, and larger than the photo itself.
    assert photo["y"] + photo["height"] <= 800 and photo["height"] > 600
    for box in controls:  # every control beside the photo, without scrolling
        assert box["x"] >= photo["x"] + photo["width"] and box["y"] + box["height"] <= 800
    assert 23 <= dragged <= 27 and abs(clip - photo["width"] * dragged / 100) <= 2


def test_on_a_phone_one_column_large_targets_and_a_divider_dragged_by_touch(server_url,
                                                                           tmp_path):
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "tall.png"
    color_photo(8, (300, 450)).convert("L").save(photo)  # a portrait photo
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                      is_mobile=True, device_scale_factor=2)
        page = colored_page(context.new_page(), server_url, photo)
        page.screenshot(path=str(tmp_path / "phone.png"))
        picture, panel = box_of(page, "#after"), box_of(page, ".panel")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        small = page.evaluate("""() => [...document.querySelectorAll(
            'button:not([hidden]), select, a.button:not([hidden]), input[type=range]')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.id || e.textContent.trim(), e.getBoundingClientRect().height])
            .filter(([, height]) => height < 44)""")
        divider = box_of(page, "#divider")
        touch = context.new_cdp_session(page)
        middle_y = picture["y"] + picture["height"] / 2
        for kind, x in (("touchStart", divider["x"] + divider["width"] / 2),
                        ("touchMove", picture["x"] + picture["width"] * 0.5),
                        ("touchMove", picture["x"] + picture["width"] * 0.8),
                        ("touchEnd", None)):
            points = [] if x is None else [{"x": x, "y": middle_y}]
            touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
        expect(page.locator("#divider")).not_to_have_attribute("aria-valuenow", "50")
        dragged = int(page.locator("#divider").get_attribute("aria-valuenow"))
        browser.close()
    assert overflow <= 390  # the texts fit: nothing scrolls sideways
    assert panel["y"] >= picture["y"] + picture["height"]  # one column: controls under it
    assert picture["height"] <= 0.7 * 844 + 1
    assert small == []  # every touch target at least 44 px
    assert 75 <= dragged <= 85


def contrast(first: tuple, second: tuple) -> float:
    """WCAG contrast ratio of two sRGB colors (0-255)."""
    def luminance(color):
        linear = [(c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4)
                  for c in color]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_keyboard_users_add_move_and_remove_hints_and_see_where_the_focus_is(server_url,
                                                                            tmp_path):
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "street.png"
    color_photo(21, (200, 150)).convert("L").save(photo)
    with sync_playwright() as playwright:
        browser, page = page_with_result(playwright, server_url, photo)
        result = page.locator("#result")
        page.locator("#add-hint").focus()
        page.keyboard.press("Enter")  # a hint at the middle of the photo, focused
        marker = page.locator(".hint-marker")
        expect(marker).to_be_focused()
        expect(marker).to_have_attribute("aria-label", "Hint 1 at (100, 75), #c0392b")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        expect(marker).to_have_attribute("aria-label", "Hint 1 at (106, 75), #c0392b")
        expect(result).to_have_attribute("data-hints", "1", timeout=60_000)
        ring = page.eval_on_selector(".hint-marker", """e => {
            const style = getComputedStyle(e);
            return [style.outlineStyle, style.outlineWidth, style.outlineColor]; }""")
        swatch = page.eval_on_selector("#hint-list .swatch", "e => e.style.background")
        page.keyboard.press("Delete")
        expect(page.locator("#hint-list li")).to_have_count(0)
        expect(page.locator("#add-hint")).to_be_focused()  # the keyboard user keeps a place
        expect(result).to_have_attribute("data-hints", "0", timeout=60_000)
        page.locator("#vividness").focus()
        slider_ring = page.eval_on_selector("#vividness",
                                            "e => getComputedStyle(e).outlineColor")
        browser.close()
    assert ring[0] == "solid" and float(ring[1].rstrip("px")) >= 2
    for color in (ring[2], slider_ring):
        levels = tuple(int(value) for value in color[color.index("(") + 1:-1].split(","))
        assert contrast(levels, (255, 255, 255)) >= 3, color
    assert swatch in ("rgb(192, 57, 43)", "#c0392b")  # the list shows each hint's color


def test_in_browser_coloring_keeps_the_page_responsive_and_the_model_cached(server_url,
                                                                           tmp_path):
    from playwright.sync_api import expect, sync_playwright

    small, large, tiff = tmp_path / "small.png", tmp_path / "large.png", tmp_path / "old.tif"
    color_photo(6, (120, 90)).convert("L").save(small)
    color_photo(7, (4000, 3000)).convert("L").save(large)  # 12 MP
    color_photo(9, (120, 90)).convert("L").save(tiff)
    model_files = ("/api/model.onnx", "/api/model.weights", "ort-wasm-simd-threaded.wasm")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        fetched = []
        context.on("request", lambda request: fetched.append(request.url))
        page = colored_page(context.new_page(), server_url, small, "browser")
        first_visit = list(fetched)
        fetched.clear()
        page = colored_page(page, server_url, small, "browser")  # the second visit
        second_visit = list(fetched)
        # The main thread keeps running its timers while the worker colors 12 MP.
        page.evaluate("""() => {
            window.gaps = [];
            let last = performance.now();
            window.ticker = setInterval(() => {
                const now = performance.now();
                gaps.push(now - last);
                last = now;
            }, 20);
        }""")
        page.locator("#file").set_input_files(str(large))
        expect(page.locator("#status")).to_contain_text("Done", timeout=120_000)
        natural = page.eval_on_selector("#after", "img => img.naturalWidth")
        gaps = page.evaluate("() => { clearInterval(ticker); return gaps; }")
        page.locator("#file").set_input_files(str(tiff))
        expect(page.locator("#status")).to_contain_text("cannot read TIFF", timeout=30_000)
        kept = page.eval_on_selector("#after", "img => img.naturalWidth")
        browser.close()
    assert all(any(name in url for url in first_visit) for name in model_files)
    assert not [url for url in second_visit if any(name in url for name in model_files)]
    assert natural == 4000 and len(gaps) > 20
    assert max(gaps) < 500, sorted(gaps)[-5:]  # coloring 12 MP on the main thread froze ~3 s
    assert kept == 4000  # a photo the browser cannot read leaves the last one on screen


def test_on_a_network_address_the_page_logs_no_error_and_says_it_uses_one_thread(tmp_path):
    from playwright.sync_api import sync_playwright

    from colorgan.server.run import network_addresses

    address = next((found for found in sorted(network_addresses())
                    if "." in found and not found.startswith("127.")), None)
    if address is None:
        pytest.skip("this machine has no IPv4 network address besides loopback")
    photo = tmp_path / "small.png"
    color_photo(12, (96, 64)).convert("L").save(photo)
    with running_server("--device", "cpu", "--host", "0.0.0.0") as (url, _), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        messages = []
        page.on("console", lambda message: messages.append((message.type, message.text)))
        page.on("pageerror", lambda error: messages.append(("error", str(error))))
        page = colored_page(page, url.replace("127.0.0.1", address), photo, "browser")
        note = page.locator("#engine-note").inner_text()
        browser.close()
    assert [text for kind, text in messages if kind == "error"] == []
    assert "one thread" in note


def test_dropped_text_leaves_the_photo_and_hints_alone_and_a_dropped_photo_replaces_it(
        server_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "first.png"
    color_photo(14, (160, 120)).convert("L").save(photo)
    drop = """async (what) => {
        const transfer = new DataTransfer();
        if (what === "text") transfer.setData("text/plain", "a caption");
        if (what === "notes") transfer.items.add(new File(["words"], "notes.txt",
                                                          { type: "text/plain" }));
        if (what === "photo") {
            const bytes = await (await fetch("/static/examples/coffee.jpg")).blob();
            transfer.items.add(new File([bytes], "coffee.jpg", { type: "image/jpeg" }));
        }
        document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer,
                                                           bubbles: true, cancelable: true }));
    }"""
    with sync_playwright() as playwright:
        browser, page = page_with_result(playwright, server_url, photo)
        default = page.locator("#vividness").input_value()
        page.locator("#vividness").fill("1.5")
        page.locator("#size").select_option("128")
        page.locator("#add-hint").click()
        expect(page.locator("#result")).to_have_attribute("data-hints", "1", timeout=60_000)
        shown = page.locator("#after").get_attribute("src")
        page.evaluate(drop, "text")
        expect(page.locator("#status")).to_contain_text("Only a photo file can be dropped")
        page.evaluate(drop, "notes")
        expect(page.locator("#status")).to_contain_text("notes.txt is not a photo")
        page.wait_for_timeout(500)  # nothing was sent: the photo and its hint stay
        kept = (page.locator("#after").get_attribute("src"),
                page.locator("#hint-list li").count())
        page.evaluate(drop, "photo")  # dropped on the page, not on a drop zone
        expect(page.locator("#status")).to_contain_text("Done", timeout=60_000)
        expect(page.locator("#hint-list li")).to_have_count(0)  # its hints were the old photo's
        natural = page.eval_on_selector("#after", "img => img.naturalWidth")
        kept_settings = [page.locator("#result").get_attribute(name)
                         for name in ("data-vividness", "data-size")]
        page.locator("#reset").click()  # until the visitor resets them
        expect(page.locator("#result")).to_have_attribute("data-vividness", default,
                                                          timeout=60_000)
        reset_size = page.locator("#result").get_attribute("data-size")
        browser.close()
    assert kept == (shown, 1)
    assert natural == 600  # the coffee example
    assert kept_settings == ["1.5", "128"]  # the controls kept their values for the new photo
    assert reset_size == str(httpx.get(f"{server_url}/api/models").json()["default_size"])
