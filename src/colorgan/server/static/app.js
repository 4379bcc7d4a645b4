// The page's only script: pick or drop a photo, send it to /api/colorize, compare, download.
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
let urls = [];
let current = null;  // the last photo chosen: changing a setting colors it again

async function loadSizes() {
  const info = await (await fetch("/api/models")).json();
  vividness.value = info.default_vividness;  // the model's chosen default
  vividnessValue.textContent = Number(vividness.value).toFixed(1);
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

async function colorize(file) {
  if (!file) return;
  clearTimeout(debounce);
  if (pending) {
    pending.controller.abort();
    clearInterval(pending.ticker);
  }
  current = file;
  const settings = { size: sizeSelect.value, vividness: vividness.value };
  const controller = new AbortController();
  const started = performance.now();
  const ticker = setInterval(() => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    setStatus(`Coloring ${file.name}… ${seconds} s`, "busy");
  }, 1000);
  pending = { controller, ticker };
  markStale();
  setStatus(`Coloring ${file.name}…`, "busy");
  const form = new FormData();
  form.append("file", file);
  form.append("size", settings.size);
  form.append("vividness", settings.vividness);
  try {
    const answer = await request(form, controller.signal);
    if (!answer.ok) {
      const problem = await answer.json().catch(() => ({}));
      const detail = typeof problem.detail === "string" ? problem.detail : answer.statusText;
      throw new Error(detail);
    }
    const colored = URL.createObjectURL(await answer.blob());
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
    result.classList.remove("stale");
    result.hidden = false;
    fitBefore();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setStatus(`Done in ${seconds} s. Drag the slider to compare.`);
  } catch (error) {
    if (controller.signal.aborted) return;  // superseded: the newer request reports
    result.hidden = true;
    setStatus(`Could not color ${file.name}: ${error.message}`, "error");
  } finally {
    clearInterval(ticker);
    if (pending && pending.controller === controller) pending = null;
  }
}

drop.addEventListener("click", () => fileInput.click());
drop.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") { event.preventDefault(); fileInput.click(); }
});
fileInput.addEventListener("change", () => colorize(fileInput.files[0]));
drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  colorize(event.dataTransfer.files[0]);
});
vividness.addEventListener("input", () => {
  vividnessValue.textContent = Number(vividness.value).toFixed(1);
  scheduleColorize();
});
sizeSelect.addEventListener("change", scheduleColorize);
slider.addEventListener("input", () => { beforeClip.style.width = `${slider.value}%`; });
window.addEventListener("resize", fitBefore);
loadSizes();
