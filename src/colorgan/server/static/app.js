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

async function colorize(file) {
  if (!file) return;
  current = file;
  urls.forEach(URL.revokeObjectURL);
  urls = [];
  result.hidden = true;
  const started = performance.now();
  setStatus(`Coloring ${file.name}…`, "busy");
  const ticker = setInterval(() => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    setStatus(`Coloring ${file.name}… ${seconds} s`, "busy");
  }, 1000);
  const form = new FormData();
  form.append("file", file);
  form.append("size", sizeSelect.value);
  form.append("vividness", vividness.value);
  try {
    const answer = await fetch("/api/colorize", { method: "POST", body: form });
    if (!answer.ok) {
      const problem = await answer.json().catch(() => ({}));
      const detail = typeof problem.detail === "string" ? problem.detail : answer.statusText;
      throw new Error(detail);
    }
    const colored = URL.createObjectURL(await answer.blob());
    const original = URL.createObjectURL(file);
    urls = [colored, original];
    after.src = colored;
    before.src = original;
    before.onerror = () => { before.src = colored; before.style.filter = "grayscale(1)"; };
    await after.decode();
    download.href = colored;
    download.download = `${file.name.replace(/\.[^.]*$/, "")}-color.png`;
    result.hidden = false;
    fitBefore();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setStatus(`Done in ${seconds} s. Drag the slider to compare.`);
  } catch (error) {
    setStatus(`Could not color ${file.name}: ${error.message}`, "error");
  } finally {
    clearInterval(ticker);
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
});
vividness.addEventListener("change", () => colorize(current));
sizeSelect.addEventListener("change", () => colorize(current));
slider.addEventListener("input", () => { beforeClip.style.width = `${slider.value}%`; });
window.addEventListener("resize", fitBefore);
loadSizes();
