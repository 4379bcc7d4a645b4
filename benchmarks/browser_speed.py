"""Coloring in the browser (onnxruntime-web, WebAssembly) against coloring on the server,
both driven from the same page in headless Chromium on this machine.

Times what a person waits for, from the photo file to the colored PNG, best of interleaved
rounds; and the first use in the browser, which fetches the runtime and the model.
Run: python benchmarks/browser_speed.py [--rounds 5]
"""

import argparse
import base64
import io
import sys
from pathlib import Path

from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from tests.servers import running_server  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from machine import describe_machine  # noqa: E402

MEGAPIXELS = (0.25, 1, 4)

# Seconds to color the photo (base64 PNG) with one engine, in the page's own functions (in
# the browser: by its worker).
TIME_ONE = """async ([engine, encoded]) => {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const file = new File([bytes], "photo.png", { type: "image/png" });
    const settings = { size: 256, vividness: 1 };
    const started = performance.now();
    const blob = engine === "browser"
        ? await colorInBrowser(file, browserModel, settings, [], maxPixels,
                               new AbortController().signal, () => {})
        : await colorOnServer(file, settings, [], undefined);
    if (!blob.size) throw new Error("no result");
    return (performance.now() - started) / 1000;
}"""


def gray_png(megapixels: float) -> str:
    width = round((megapixels * 1e6 * 4 / 3) ** 0.5)
    image = Image.fromarray(data.astronaut()).convert("L").resize((width, round(width * 3 / 4)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    with running_server("--device", "cpu") as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        expect(page.locator("#size option")).not_to_have_count(0)
        threads = page.evaluate("self.crossOriginIsolated ? Math.min(4, "
                                "navigator.hardwareConcurrency) : 1")
        print(f"machine: {describe_machine()}; Chromium {browser.version}, "
              f"onnxruntime-web with {threads} threads; working size 256")
        photos = {megapixels: gray_png(megapixels) for megapixels in MEGAPIXELS}
        first = page.evaluate(TIME_ONE, ["browser", photos[MEGAPIXELS[0]]])
        print(f"first use in the browser (runtime and model fetched, session made, "
              f"{MEGAPIXELS[0]} MP colored): {first:.2f} s\n")
        print("| photo | in the browser | on the server (upload, color, download) | ratio |")
        print("|---|---|---|---|")
        for megapixels, photo in photos.items():
            best = {"browser": float("inf"), "server": float("inf")}
            for _ in range(args.rounds):
                for engine in best:
                    best[engine] = min(best[engine], page.evaluate(TIME_ONE, [engine, photo]))
            print(f"| {megapixels} MP | {best['browser']:.2f} s | {best['server']:.2f} s | "
                  f"{best['browser'] / best['server']:.1f}x |", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
