// The page: pick or drop a photo, color it (on the server through /api/colorize, or in this
// browser with in_browser.js), compare, place color hints, download.
"use strict";
const drop = document.getElementById("drop");
const fileInput = document.getElementById("file");
const sizeSelect = document.getElementById("size");
const vividness = document.getElementById("vividness");
const vividnessValue = document.getElementById("vividness-value");
const statusLine = document.getElementById("status");
const result = document.getElementById("result");
const before = document.getElementById("before");
const after = document.getElementById("after");
const beforeClip = document.getElementById("before-clip");
const slider = document.getElementById("slider");
const download = document.getElementById("download");
const compare = document.getElementById("compare");
const markers = document.getElementById("markers");
const hintsBox = document.getElementById("hints");
const hintColor = document.getElementById("hint-color");
const hintList = document.getElementById("hint-list");
const clearHints = document.getElementById("clear-hints");
const engine = document.getElementById("engine");
const engineLabel = document.getElementById("engine-label");
const privacy = document.getElementById("privacy");
// What happens to the photo, as true for the mode chosen.
const PRIVACY = {
  server: "Your photo goes to the server that serves this page, and nowhere else.",
  browser: "Your photo is colored in this browser and never leaves this device.",
};
let urls = [];
let current = null;  // the last photo chosen: changing a setting colors it again
let shown = null;  // the photo whose result is on screen: a bad file leaves it there
let browserModel = null;  // where the model for coloring in this browser is, if the server has one

async function loadSizes() {
  const info = await (await fetch("/api/models")).json();
  hintsBox.dataset.available = info.hints ? "true" : "false";
  browserModel = info.browser_model && { url: info.browser_model,
                                         weights: info.browser_model_weights };
  engineLabel.hidden = !browserModel;
  vividness.value = info.default_vividness;  // the model's chosen default
  vividnessValue.textContent = Number(vividness.value).toFixed(2);
  for (const size of info.sizes) {
    const option = new Option(`${size} px`, size, false, size === info.default_size);
    sizeSelect.add(option);
  }
}

function setStatus(text, kind) {
  statusLine.textContent = text;
  statusLine.className = kind || "";
  document.body.setAttribute("aria-busy", kind === "busy" ? "true" : "false");
}

function fitBefore() {
  // The original sits over the result at the same size; the clip shows its left part.
  before.style.width = `${after.clientWidth}px`;
  before.style.height = `${after.clientHeight}px`;
}

// The page must always show the result of what its controls say: every change supersedes
// the request before it (aborted), slider steps are debounced, and a busy server (503) is
// asked again after the Retry-After it gives.
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
  if (status === 415) {
    return "it is not an image the server can read (JPEG, PNG, WebP, TIFF, BMP or GIF)";
  }
  if (status === 422 && !/^hint/.test(detail)) return "the image is damaged or cut short";
  if (status === 504) return "coloring it took too long";
  return detail || `the server answered ${status}`;
}

async function colorize(file) {
  if (!file) return;
  clearTimeout(debounce);
  if (pending) {
    pending.controller.abort();
    clearInterval(pending.ticker);
  }
  current = file;
  const settings = { size: sizeSelect.value, vividness: vividness.value, engine: engine.value };
  const controller = new AbortController();
  const started = performance.now();
  // The first photo colored in the browser waits for the runtime and the model to arrive.
  const doing = settings.engine === "browser" && !browserSessionReady()
    ? "Loading the model into this browser (once) and coloring" : "Coloring";
  const ticker = setInterval(() => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    setStatus(`${doing} ${file.name}… ${seconds} s`, "busy");
  }, 1000);
  pending = { controller, ticker };
  markStale();
  setStatus(`${doing} ${file.name}…`, "busy");
  const sentHints = hints.map(({ x, y, color }) => ({ x: Math.round(x), y: Math.round(y), color }));
  try {
    const colored = URL.createObjectURL(settings.engine === "browser"
      ? await colorInBrowser(file, browserModel, { size: Number(settings.size),
                                                    vividness: Number(settings.vividness),
                                                    hints: sentHints })
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
    result.hidden = false;
    hintsBox.hidden = hintsBox.dataset.available !== "true";
    compare.classList.toggle("hinting", !hintsBox.hidden);
    fitBefore();
    shown = file;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setStatus(`Done in ${seconds} s. Drag the slider to compare.`);
  } catch (error) {
    if (controller.signal.aborted) return;  // superseded: the newer request reports
    const reason = error instanceof DOMException ? "this browser cannot read it as an image"
      : error.message;
    if (shown && shown !== file) {  // the last good result stays, and settings recolor it
      current = shown;
      result.classList.remove("stale");
      setStatus(`Could not color ${file.name}: ${reason}. The last photo stays.`, "error");
    } else {
      result.hidden = true;
      setStatus(`Could not color ${file.name}: ${reason}.`, "error");
    }
  } finally {
    clearInterval(ticker);
    if (pending && pending.controller === controller) pending = null;
  }
}

drop.addEventListener("click", () => fileInput.click());
drop.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") { event.preventDefault(); fileInput.click(); }
});
fileInput.addEventListener("change", () => choose(fileInput.files[0]));
drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  choose(event.dataTransfer.files[0]);
});
vividness.addEventListener("input", () => {
  vividnessValue.textContent = Number(vividness.value).toFixed(2);
  scheduleColorize();
});
sizeSelect.addEventListener("change", scheduleColorize);
engine.addEventListener("change", () => {
  privacy.textContent = PRIVACY[engine.value];
  scheduleColorize();
});
slider.addEventListener("input", () => { beforeClip.style.width = `${slider.value}%`; });
window.addEventListener("resize", fitBefore);

function choose(file) {
  if (file.type && !file.type.startsWith("image/")) {  // text dropped, say: nothing changes
    setStatus(`${file.name} is not a photo: choose a JPEG, PNG, WebP, TIFF, BMP or GIF file.`,
              "error");
    return;
  }
  removeAllHints();  // hints belong to the photo they were put on
  colorize(file);
}

// Color hints: points in the photo's own pixels with a color; each has a marker on the photo
// (drag it, or arrow keys; Delete removes it) and an entry in the list (its color, Remove).
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
  hint.item.append(document.createElement("span"), " ", picker, " ", remove);
  hints.push(hint);
  markers.append(hint.marker);
  hintList.append(hint.item);
  renumber();
  scheduleColorize();
}

function showHint(hint) {
  const number = hints.indexOf(hint) + 1;
  const where = `(${Math.round(hint.x)}, ${Math.round(hint.y)})`;
  hint.marker.style.left = `${hint.x / after.naturalWidth * 100}%`;
  hint.marker.style.top = `${hint.y / after.naturalHeight * 100}%`;
  hint.marker.style.background = hint.color;
  hint.marker.setAttribute("aria-label", `Hint ${number} at ${where}, ${hint.color}`);
  hint.item.firstChild.textContent = `Hint ${number} at ${where}`;
  hint.item.querySelector("input").setAttribute("aria-label", `Color of hint ${number}`);
  hint.item.querySelector("button").setAttribute("aria-label", `Remove hint ${number}`);
}

function renumber() {
  hints.forEach(showHint);
  clearHints.disabled = hints.length === 0;
}

function removeHint(hint) {
  hints.splice(hints.indexOf(hint), 1);
  hint.marker.remove();
  hint.item.remove();
  renumber();
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
  if (hintsBox.hidden || event.target.closest(".hint-marker")) return;
  const { x, y } = photoPoint(event);
  addHint(x, y, hintColor.value);
  showResultWhole();
});

function showResultWhole() {
  // A hint is judged on the colored photo: the comparison slides aside to show all of it.
  slider.value = 0;
  beforeClip.style.width = "0%";
}
for (const preset of document.querySelectorAll(".preset")) {
  preset.addEventListener("click", () => { hintColor.value = preset.dataset.color; });
}
clearHints.addEventListener("click", () => { if (removeAllHints()) scheduleColorize(); });
loadSizes();
