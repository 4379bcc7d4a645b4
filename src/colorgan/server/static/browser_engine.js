// Coloring in this browser: a worker (color_worker.js) does it, so the page stays
// responsive; this side sends it photos, passes on its progress and drops abandoned jobs.
"use strict";
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
function browserPixelLimit(serverLimit) {
  return Math.min(serverLimit, (navigator.deviceMemory || 8) * 4e6);
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

// The photo in color as a PNG Blob. model: {url, weights} from /api/models; settings:
// {size, vividness}; limit: the server's pixel limit; onProgress({loaded, total}) while the
// model downloads.
async function colorInBrowser(file, model, settings, sentHints, limit, signal, onProgress) {
  const [width, height] = await photoSize(file);
  const most = browserPixelLimit(limit);
  if (width * height > most) {
    throw new Error(`it has ${(width * height / 1e6).toFixed(1)} MP, more than this browser `
                    + `colors (${(most / 1e6).toFixed(0)} MP): color it on the server`);
  }
  return new Promise((resolve, reject) => {
    const id = ++jobs;
    waiting.set(id, { resolve, reject, progress: onProgress });
    colorWorker().postMessage({ id, file, model,
                                settings: { ...settings, hints: sentHints } });
    signal.addEventListener("abort", () => {
      waiting.delete(id);
      worker?.postMessage({ cancel: id });  // dropped if it has not started
      reject(signal.reason);
    });
  });
}
