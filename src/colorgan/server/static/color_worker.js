// Colors photos in the browser off the page's thread, so the page stays responsive while a
// large photo is colored. It loads onnxruntime-web and the model once, from the browser's
// cache after the first visit (Cache API; the URLs name their versions), reports the
// download's progress, and colors one photo at a time, skipping those the page abandoned.
// Messages in: {id, file, model: {url, weights}, settings} or {cancel: id};
// out: {id, progress: {loaded, total}}, {id, blob} or {id, error}.
"use strict";
const ORT_FOLDER = "/static/vendor/onnxruntime-web/";
importScripts(`${ORT_FOLDER}ort.wasm.min.js`, "/static/in_browser.js");
const CACHE_NAME = "colorgan-model";

let sessionPromise = null;
let queue = Promise.resolve();
const cancelled = new Set();

// The cache, where the browser keeps one (pages from this computer or over HTTPS).
async function openCache() {
  if (!self.caches) return null;
  return caches.open(CACHE_NAME).catch(() => null);
}

// The bytes at url: kept from an earlier visit, or fetched (reporting progress) and kept,
// with other versions of the same file removed.
async function cachedBytes(url, what, report) {
  const absolute = new URL(url, self.location).href;
  const cache = await openCache();
  const kept = cache && await cache.match(absolute);
  if (kept) return new Uint8Array(await kept.arrayBuffer());
  const answer = await fetch(absolute);
  if (!answer.ok) throw new Error(`${what} could not be fetched (${answer.status})`);
  report(absolute, 0, Number(answer.headers.get("Content-Length")) || 0);
  const reader = answer.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    report(absolute, loaded);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
  if (cache) {
    const path = new URL(absolute).pathname;
    for (const old of await cache.keys()) {
      if (new URL(old.url).pathname === path && old.url !== absolute) await cache.delete(old);
    }
    await cache.put(absolute, new Response(bytes)).catch(() => {});  // full disk: no cache
  }
  return bytes;
}

// Progress over every file being fetched, as one {loaded, total} in bytes.
function progressReporter(send) {
  const files = new Map();
  return (url, loaded, total) => {
    const file = files.get(url) || { loaded: 0, total: 0 };
    files.set(url, { loaded, total: total ?? file.total });
    let sum = 0;
    let whole = 0;
    for (const each of files.values()) { sum += each.loaded; whole += each.total; }
    send({ loaded: sum, total: whole });
  };
}

// The ONNX Runtime session, made once. model: {url, weights}; weights ({path, url}) when the
// ONNX file reads its weights from a file beside it (ONNX external data), as the bundled
// model does.
function modelSession(model, send) {
  sessionPromise ??= (async () => {
    const report = progressReporter(send);
    ort.env.wasm.wasmPaths = ORT_FOLDER;
    // Threads need a cross-origin isolated page (the server sends the headers for it).
    ort.env.wasm.numThreads = self.crossOriginIsolated
      ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
    const [runtime, graph, weights] = await Promise.all([
      cachedBytes(`${ORT_FOLDER}ort-wasm-simd-threaded.wasm?v=${ort.env.versions.web}`,
                  "the runtime", report),
      cachedBytes(model.url, "the model", report),
      model.weights && cachedBytes(model.weights.url, "the model's weights", report),
    ]);
    ort.env.wasm.wasmBinary = runtime;
    const options = { executionProviders: ["wasm"] };
    if (weights) options.externalData = [{ path: model.weights.path, data: weights }];
    return ort.InferenceSession.create(graph, options);
  })();
  sessionPromise.catch(() => { sessionPromise = null; });  // a failed load may be retried
  return sessionPromise;
}

async function colorJob({ id, file, model, settings }) {
  if (cancelled.delete(id)) return;
  try {
    const session = await modelSession(model, (progress) => postMessage({ id, progress }));
    if (cancelled.delete(id)) return;
    postMessage({ id, blob: await colorPhoto(session, file, settings) });
  } catch (error) {
    postMessage({ id, error: error instanceof DOMException
      ? "this browser cannot read it as an image" : error.message });
  }
}

self.onmessage = ({ data }) => {
  if (data.cancel) {
    cancelled.add(data.cancel);
    return;
  }
  queue = queue.then(() => colorJob(data));
};
