// The page: choose, drop or pick an example photo; color it (on the server through
// /api/colorize, or in this browser by color_worker.js); compare original and colors with a
// divider on the photo; place color hints; download.
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

// The photo as large as the stage allows, never taller than the window (on a phone, 70% of
// it: the controls follow under it); the original over it at the same size, clipped.
const ROOM_BELOW_PX = 16;
function fitPhoto() {
  if (result.hidden || !after.naturalWidth) return;
  const phone = window.matchMedia("(max-width: 760px)").matches;
  const top = compare.parentElement.getBoundingClientRect().top + window.scrollY;
  const height = phone ? window.innerHeight * 0.7 : window.innerHeight - top - ROOM_BELOW_PX;
  const scale = Math.min(result.parentElement.clientWidth / after.naturalWidth,
                         height / after.naturalHeight);
  for (const image of [after, before]) {
    image.style.width = `${Math.floor(after.naturalWidth * scale)}px`;
    image.style.height = `${Math.floor(after.naturalHeight * scale)}px`;
  }
}

// ----- the divider between the original (left) and the colorized photo (right) -----
function setDivider(percent) {
  const value = Math.min(100, Math.max(0, Math.round(percent)));
  beforeClip.style.width = `${value}%`;
  divider.style.left = `${value}%`;
  divider.setAttribute("aria-valuenow", value);
  divider.setAttribute("aria-valuetext", `${value}% original`);
  tagBefore.hidden = value < 12;
  tagAfter.hidden = value > 88;
}

divider.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  divider.focus();
  divider.setPointerCapture(event.pointerId);
  const follow = (move) => {
    const box = compare.getBoundingClientRect();
    setDivider((move.clientX - box.left) / box.width * 100);
  };
  divider.addEventListener("pointermove", follow);
  divider.addEventListener("pointerup", () => divider.removeEventListener("pointermove", follow),
                           { once: true });
});
divider.addEventListener("keydown", (event) => {
  const now = Number(divider.getAttribute("aria-valuenow"));
  const step = event.shiftKey ? 10 : 1;
  const moves = { ArrowLeft: now - step, ArrowDown: now - step, ArrowRight: now + step,
                  ArrowUp: now + step, PageDown: now - 10, PageUp: now + 10, Home: 0, End: 100 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  setDivider(moves[event.key]);
});

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

// ----- coloring in this browser: a worker does it, so the page stays responsive -----
let worker = null;
let jobs = 0;
const waiting = new Map();  // job id: {resolve, reject, progress}
let modelLoaded = false;  // the worker holds the model: later photos start at once

function colorWorker() {
  if (worker) return worker;
  worker = new Worker("/static/color_worker.js");
  worker.onmessage = ({ data }) => {
    const job = waiting.get(data.id);
    if (!job) return;
    if (data.progress) { job.progress(data.progress); return; }
    waiting.delete(data.id);
    if (data.error) { job.reject(new Error(data.error)); return; }
    modelLoaded = true;
    job.resolve(data.blob);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const job of waiting.values()) job.reject(new Error("coloring in this browser failed"));
    waiting.clear();
    worker = null;
  };
  return worker;
}

// The largest photo this device colors: the server's limit, lowered on a device that says it
// has little memory (the worker holds about 24 bytes a pixel).
function browserPixelLimit() {
  return Math.min(maxPixels, (navigator.deviceMemory || 8) * 4e6);
}

// The photo's width and height from its header, before any work: the image decodes later.
function photoSize(file) {
  return new Promise((resolve, reject) => {
    const probe = new Image();
    const url = URL.createObjectURL(file);
    probe.onload = () => { URL.revokeObjectURL(url); resolve([probe.naturalWidth, probe.naturalHeight]); };
    probe.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error(/tiff?$/i.test(file.type || file.name)
        ? "this browser cannot read TIFF photos: color it on the server, or save it as JPEG or PNG"
        : "this browser cannot read it as an image"));
    };
    probe.src = url;
  });
}

async function colorInBrowser(file, settings, sentHints, signal, onProgress) {
  const [width, height] = await photoSize(file);
  const limit = browserPixelLimit();
  if (width * height > limit) {
    throw new Error(`it has ${(width * height / 1e6).toFixed(1)} MP, more than this browser `
                    + `colors (${(limit / 1e6).toFixed(0)} MP): color it on the server`);
  }
  return new Promise((resolve, reject) => {
    const id = ++jobs;
    waiting.set(id, { resolve, reject, progress: onProgress });
    colorWorker().postMessage({ id, file, model: browserModel,
                                settings: { ...settings, hints: sentHints } });
    signal.addEventListener("abort", () => {
      waiting.delete(id);
      worker?.postMessage({ cancel: id });  // dropped if it has not started
      reject(signal.reason);
    });
  });
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
      ? await colorInBrowser(file, settings, sentHints, controller.signal, onProgress)
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
window.addEventListener("resize", fitPhoto);

// ----- color hints -----
// Points in the photo's own pixels with a color; each has a marker on the photo (drag it, or
// focus it and use the arrow keys; Delete removes it) and an entry in the list.
const hints = [];
const KEY_STEP = 0.01;  // arrow keys move a hint by 1% of the photo's side (Shift: 5%)

function photoPoint(event) {
  const box = after.getBoundingClientRect();
  const clamp = (value, high) => Math.min(Math.max(value, 0), high - 1);
  return {
    x: clamp((event.clientX - box.left) / box.width * after.naturalWidth, after.naturalWidth),
    y: clamp((event.clientY - box.top) / box.height * after.naturalHeight, after.naturalHeight),
  };
}

function addHint(x, y, color) {
  const hint = { x, y, color, marker: document.createElement("button"),
                 item: document.createElement("li") };
  hint.marker.type = "button";
  hint.marker.className = "hint-marker";
  hint.marker.addEventListener("keydown", (event) => moveByKey(hint, event));
  hint.marker.addEventListener("pointerdown", (event) => drag(hint, event));
  const picker = Object.assign(document.createElement("input"), { type: "color", value: color });
  picker.addEventListener("input", () => { hint.color = picker.value; showHint(hint); scheduleColorize(); });
  const remove = Object.assign(document.createElement("button"), { type: "button",
                                                                   textContent: "Remove" });
  remove.addEventListener("click", () => removeHint(hint));
  const swatch = Object.assign(document.createElement("span"), { className: "swatch" });
  hint.item.append(swatch, document.createElement("span"), picker, remove);
  hints.push(hint);
  markers.append(hint.marker);
  hintList.append(hint.item);
  renumber();
  scheduleColorize();
  return hint;
}

function showHint(hint) {
  const number = hints.indexOf(hint) + 1;
  const where = `(${Math.round(hint.x)}, ${Math.round(hint.y)})`;
  hint.marker.style.left = `${hint.x / after.naturalWidth * 100}%`;
  hint.marker.style.top = `${hint.y / after.naturalHeight * 100}%`;
  hint.marker.style.background = hint.color;
  hint.marker.setAttribute("aria-label", `Hint ${number} at ${where}, ${hint.color}`);
  hint.item.querySelector(".swatch").style.background = hint.color;
  hint.item.children[1].textContent = `Hint ${number} at ${where}`;
  hint.item.querySelector("input").setAttribute("aria-label", `Color of hint ${number}`);
  hint.item.querySelector("button").setAttribute("aria-label", `Remove hint ${number}`);
}

function renumber() {
  hints.forEach(showHint);
  clearHints.disabled = hints.length === 0;
}

function removeHint(hint) {
  const index = hints.indexOf(hint);
  hints.splice(index, 1);
  const hadFocus = hint.marker === document.activeElement;
  hint.marker.remove();
  hint.item.remove();
  renumber();
  // A keyboard user keeps a place: the next hint, else the button that adds one.
  if (hadFocus) (hints[Math.min(index, hints.length - 1)]?.marker || addHintButton).focus();
  scheduleColorize();
}

function removeAllHints() {
  const had = hints.length > 0;
  while (hints.length) {
    const hint = hints.pop();
    hint.marker.remove();
    hint.item.remove();
  }
  renumber();
  return had;
}

function moveByKey(hint, event) {
  const step = event.shiftKey ? 5 * KEY_STEP : KEY_STEP;
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (event.key === "Delete" || event.key === "Backspace") {
    event.preventDefault();
    removeHint(hint);
    return;
  }
  if (!(event.key in moves)) return;
  event.preventDefault();
  const [dx, dy] = moves[event.key];
  hint.x = Math.min(Math.max(hint.x + dx * step * after.naturalWidth, 0), after.naturalWidth - 1);
  hint.y = Math.min(Math.max(hint.y + dy * step * after.naturalHeight, 0), after.naturalHeight - 1);
  showHint(hint);
  scheduleColorize();
}

function drag(hint, event) {
  event.preventDefault();
  hint.marker.setPointerCapture(event.pointerId);
  const follow = (move) => { Object.assign(hint, photoPoint(move)); showHint(hint); };
  hint.marker.addEventListener("pointermove", follow);
  hint.marker.addEventListener("pointerup", () => {
    hint.marker.removeEventListener("pointermove", follow);
    scheduleColorize();
  }, { once: true });
}

compare.addEventListener("click", (event) => {
  if (hintsBox.hidden || event.target.closest(".hint-marker, .divider")) return;
  const { x, y } = photoPoint(event);
  addHint(x, y, hintColor.value);
  setDivider(0);  // a hint is judged on the colored photo: show all of it
});
addHintButton.addEventListener("click", () => {
  const hint = addHint(after.naturalWidth / 2, after.naturalHeight / 2, hintColor.value);
  setDivider(0);
  hint.marker.focus();  // the arrow keys move it from here
});
for (const preset of document.querySelectorAll(".preset")) {
  preset.addEventListener("click", () => { hintColor.value = preset.dataset.color; });
}
clearHints.addEventListener("click", () => { if (removeAllHints()) scheduleColorize(); });
setDivider(50);
loadSizes();
