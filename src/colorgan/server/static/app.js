// The page: choose, drop or pick an example photo; color it (on the server through
// /api/colorize, or in this browser by browser_engine.js); compare (compare.js); place color
// hints (hints.js); download. The page's elements are named once, here.
"use strict";
const byId = (id) => document.getElementById(id);
const drop = byId("drop");
const fileInput = byId("file");
const start = byId("start");
const another = byId("another");
const sizeSelect = byId("size");
const vividness = byId("vividness");
const vividnessValue = byId("vividness-value");
const statusLine = byId("status");
const result = byId("result");
const before = byId("before");
const after = byId("after");
const beforeClip = byId("before-clip");
const divider = byId("divider");
const tagBefore = byId("tag-before");
const tagAfter = byId("tag-after");
const download = byId("download");
const compare = byId("compare");
const markers = byId("markers");
const hintsBox = byId("hints");
const hintColor = byId("hint-color");
const hintList = byId("hint-list");
const addHintButton = byId("add-hint");
const clearHints = byId("clear-hints");
const engine = byId("engine");
const engineLabel = byId("engine-label");
const engineNote = byId("engine-note");
const privacy = byId("privacy");
// What happens to the photo, as true for the mode chosen.
const PRIVACY = {
  server: "Your photo goes to the server that serves this page, and nowhere else.",
  browser: "Your photo is colored in this browser and never leaves this device.",
};
const FORMATS = "JPEG, PNG, WebP, TIFF, BMP or GIF";
let urls = [];
let current = null;  // the last photo chosen: changing a setting colors it again
let shown = null;  // the photo whose result is on screen: a bad file leaves it there
let browserModel = null;  // where the model for coloring in this browser is, if the server has one
let maxPixels = Infinity;  // the server's limit, which the browser also keeps
let defaults = null;  // the model's vividness and the working size a visitor may reset to

async function loadSizes() {
  const info = await (await fetch("/api/models")).json();
  hintsBox.dataset.available = info.hints ? "true" : "false";
  browserModel = info.browser_model && { url: info.browser_model,
                                         weights: info.browser_model_weights };
  maxPixels = info.max_pixels;
  engineLabel.hidden = !browserModel;
  // Threads in the page need it cross-origin isolated, which browsers grant only to pages
  // from this computer or over HTTPS: elsewhere the browser colors on one thread, and says so.
  engineNote.textContent = self.crossOriginIsolated ? ""
    : "In this browser: one thread, slower (this page is neither on this computer nor on HTTPS).";
  for (const size of info.sizes) sizeSelect.add(new Option(`${size} px`, size));
  defaults = { vividness: info.default_vividness, size: info.default_size };
  setControls(defaults);
}

// Vividness and working size keep their values from photo to photo until reset.
function setControls({ vividness: level, size }) {
  vividness.value = level;  // the model's chosen default
  vividnessValue.textContent = Number(level).toFixed(2);
  sizeSelect.value = size;
}

function setStatus(text, kind) {
  statusLine.textContent = text;
  statusLine.className = kind || "";
  document.body.setAttribute("aria-busy", kind === "busy" ? "true" : "false");
}

// ----- coloring: every change supersedes the request before it -----
// The page must always show the result of what its controls say: every change supersedes
// the request before it (aborted, here and on the server), slider steps are debounced, and a
// busy server (503) is asked again after the Retry-After it gives.
const DEBOUNCE_MS = 250;
let pending = null;  // {controller, ticker} of the request whose answer the page waits for
let debounce = null;

function scheduleColorize() {
  clearTimeout(debounce);
  if (!current) return;
  markStale();
  debounce = setTimeout(() => colorize(current), DEBOUNCE_MS);
}

function markStale() {
  // An old result must not be downloaded as if it were the new one.
  if (result.hidden) return;
  result.classList.add("stale");
  download.removeAttribute("href");
  download.setAttribute("aria-disabled", "true");
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); reject(signal.reason); });
  });
}

async function request(form, signal) {
  for (;;) {
    const answer = await fetch("/api/colorize", { method: "POST", body: form, signal });
    if (answer.status !== 503) return answer;
    const seconds = Number(answer.headers.get("Retry-After")) || 2;
    setStatus(`The server is busy; trying again in ${seconds} s…`, "busy");
    await sleep(Math.min(seconds, 10) * 1000, signal);
  }
}

async function colorOnServer(file, settings, sentHints, signal) {
  const form = new FormData();
  form.append("file", file);
  form.append("size", settings.size);
  form.append("vividness", settings.vividness);
  if (sentHints.length) form.append("hints", JSON.stringify(sentHints));
  const answer = await request(form, signal);
  if (!answer.ok) {
    const problem = await answer.json().catch(() => ({}));
    throw new Error(visitorWords(answer.status,
                                 typeof problem.detail === "string" ? problem.detail : ""));
  }
  return answer.blob();
}

// The server's refusal in words a visitor understands (its details name options of the
// command line, such as --max-pixels, that a visitor cannot set).
function visitorWords(status, detail) {
  if (status === 413) {
    return /too long and thin/.test(detail) ? "it is too long and thin to color"
      : "it is larger than this server takes";
  }
  if (status === 415) return `it is not an image the server can read (${FORMATS})`;
  if (status === 422 && !/^hint/.test(detail)) return "the image is damaged or cut short";
  if (status === 504) return "coloring it took too long";
  return detail || `the server answered ${status}`;
}

const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

async function colorize(file) {
  if (!file) return;
  clearTimeout(debounce);
  if (pending) {
    pending.controller.abort();
    clearInterval(pending.ticker);
  }
  current = file;
  const settings = { size: Number(sizeSelect.value), vividness: Number(vividness.value),
                     engine: engine.value };
  const controller = new AbortController();
  const started = performance.now();
  // The first photo colored in the browser waits for the model to arrive (once: cached).
  let doing = settings.engine === "browser" && !modelLoaded
    ? "Loading the model into this browser and coloring" : "Coloring";
  const ticker = setInterval(() => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    setStatus(`${doing} ${file.name}… ${seconds} s`, "busy");
  }, 1000);
  pending = { controller, ticker };
  markStale();
  setStatus(`${doing} ${file.name}…`, "busy");
  const onProgress = ({ loaded, total }) => {
    doing = total ? `Downloading the model (once): ${megabytes(loaded)} of ${megabytes(total)} MB`
      : `Downloading the model (once): ${megabytes(loaded)} MB`;
    setStatus(`${doing}…`, "busy");
    if (loaded === total) doing = "Coloring";
  };
  const sentHints = hints.map(({ x, y, color }) => ({ x: Math.round(x), y: Math.round(y), color }));
  try {
    const colored = URL.createObjectURL(settings.engine === "browser"
      ? await colorInBrowser(file, browserModel, settings, sentHints, maxPixels,
                             controller.signal, onProgress)
      : await colorOnServer(file, settings, sentHints, controller.signal));
    const original = URL.createObjectURL(file);
    if (controller.signal.aborted) return;
    urls.forEach(URL.revokeObjectURL);
    urls = [colored, original];
    after.src = colored;
    before.src = original;
    before.onerror = () => { before.src = colored; before.style.filter = "grayscale(1)"; };
    await after.decode();
    if (controller.signal.aborted) return;
    download.href = colored;
    download.removeAttribute("aria-disabled");
    download.download = `${file.name.replace(/\.[^.]*$/, "")}-color.png`;
    result.dataset.vividness = settings.vividness;
    result.dataset.size = settings.size;
    result.dataset.hints = sentHints.length;
    result.dataset.engine = settings.engine;
    result.classList.remove("stale");
    showPhotoView();
    shown = file;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setStatus(`Done in ${seconds} s. Drag the divider to compare.`);
  } catch (error) {
    if (controller.signal.aborted) return;  // superseded: the newer request reports
    const reason = error instanceof DOMException ? "this browser cannot read it as an image"
      : error.message;
    if (shown && shown !== file) {  // the last good result stays, and settings recolor it
      current = shown;
      result.classList.remove("stale");
      download.href = urls[0];
      download.removeAttribute("aria-disabled");
      setStatus(`Could not color ${file.name}: ${reason}. The last photo stays.`, "error");
    } else {
      current = null;
      showStartView();
      setStatus(`Could not color ${file.name}: ${reason}.`, "error");
    }
  } finally {
    clearInterval(ticker);
    if (pending && pending.controller === controller) pending = null;
  }
}

// ----- the two views: choosing a photo, and the photo with its controls -----
function showPhotoView() {
  start.hidden = true;
  result.hidden = false;
  another.hidden = false;
  download.hidden = false;
  hintsBox.hidden = hintsBox.dataset.available !== "true";
  compare.classList.toggle("hinting", !hintsBox.hidden);
  fitPhoto();
}

function showStartView() {
  start.hidden = false;
  result.hidden = true;
  another.hidden = true;
  download.hidden = true;
  hintsBox.hidden = true;
}

function choose(file) {
  if (!file) return;
  if (file.type && !file.type.startsWith("image/")) {  // text dropped, say: nothing changes
    setStatus(`${file.name} is not a photo: choose a ${FORMATS} file.`, "error");
    return;
  }
  removeAllHints();  // hints belong to the photo they were put on
  setDivider(50);
  colorize(file);
}

drop.addEventListener("click", () => fileInput.click());
drop.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") { event.preventDefault(); fileInput.click(); }
});
another.addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", () => { choose(fileInput.files[0]); fileInput.value = ""; });
// A photo may be dropped anywhere on the page, before or after the first one.
document.addEventListener("dragover", (event) => {
  event.preventDefault();
  document.body.classList.add("over");
});
document.addEventListener("dragleave", (event) => {
  if (!event.relatedTarget) document.body.classList.remove("over");
});
document.addEventListener("drop", (event) => {
  event.preventDefault();
  document.body.classList.remove("over");
  const file = event.dataTransfer.files[0];
  if (file) choose(file);
  else setStatus("Only a photo file can be dropped here.", "error");
});
for (const example of document.querySelectorAll(".example")) {
  example.addEventListener("click", async () => {
    const name = example.dataset.name;
    const answer = await fetch(`/static/examples/${name}.jpg`);
    choose(new File([await answer.blob()], `${name}.jpg`, { type: "image/jpeg" }));
  });
}
vividness.addEventListener("input", () => {
  vividnessValue.textContent = Number(vividness.value).toFixed(2);
  scheduleColorize();
});
sizeSelect.addEventListener("change", scheduleColorize);
byId("reset").addEventListener("click", () => {
  setControls(defaults);
  scheduleColorize();
});
engine.addEventListener("change", () => {
  privacy.textContent = PRIVACY[engine.value];
  scheduleColorize();
});
// The other scripts (compare.js, hints.js, browser_engine.js) load after this one.
document.addEventListener("DOMContentLoaded", () => {
  setDivider(50);
  loadSizes();
});
