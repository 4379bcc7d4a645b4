// Coloring in the browser itself with onnxruntime-web, so the photo never leaves the
// computer: the steps, run by color_worker.js. The same steps as
// colorgan.inference.colorize.Colorizer with the ONNX backend: CIE L of the photo, scaled to
// the working shape (antialiased bilinear), the model's chroma, upsampled and joined with the
// full-resolution L; kornia's formulas for the color conversions.
"use strict";

const PAD_MULTIPLE = 32;  // colorgan.onnx_model.PAD_MULTIPLE
const MIN_WORKING_SIDE = 32;  // colorgan.colorize.MIN_WORKING_SIDE
const HINT_SIDE = 5;  // colorgan.hints.HINT_SIDE
const AB_RANGE = 110;  // colorgan.color.AB_RANGE
const WHITE = [0.95047, 1.0, 1.08883];
const RGB_TO_XYZ = [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169],
                    [0.019334, 0.119193, 0.950227]];
const XYZ_TO_RGB = [[3.2404813432005266, -1.5371515162713185, -0.4985363261688878],
                    [-0.9692549499965682, 1.8759900014898907, 0.0415559265582928],
                    [0.0556466391351772, -0.2040413383665112, 1.0573110696453443]];

const linearOfByte = Float32Array.from({ length: 256 }, (_, level) => {
  const value = level / 255;
  return value > 0.04045 ? ((value + 0.055) / 1.055) ** 2.4 : value / 12.92;
});
const labF = (t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 4 / 29);
const labFInverse = (f) => (f > 0.2068966 ? f * f * f : (f - 4 / 29) / 7.787);
const srgbOfLinear = (value) => {
  const clipped = Math.min(Math.max(value, 0), 1);
  return clipped > 0.0031308 ? 1.055 * clipped ** (1 / 2.4) - 0.055 : 12.92 * clipped;
};

function lab(red, green, blue) {
  const linear = [linearOfByte[red], linearOfByte[green], linearOfByte[blue]];
  const [fx, fy, fz] = RGB_TO_XYZ.map((row, i) =>
    labF((row[0] * linear[0] + row[1] * linear[1] + row[2] * linear[2]) / WHITE[i]));
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

function workingShape(height, width, size) {
  const scale = Math.min(1, size / Math.sqrt(height * width));
  return [Math.max(MIN_WORKING_SIDE, Math.round(height * scale)),
          Math.max(MIN_WORKING_SIDE, Math.round(width * scale))];
}

// Resampling weights along one axis as PyTorch's bilinear interpolation with antialias
// computes them: a triangle filter widened by the scale when shrinking.
function axisWeights(inSize, outSize) {
  const scale = inSize / outSize;
  const support = Math.max(scale, 1);
  const spans = [];
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const last = Math.min(Math.trunc(center + support + 0.5), inSize);
    const weights = [];
    let total = 0;
    for (let j = first; j < last; j++) {
      const weight = Math.max(0, 1 - Math.abs((j - center + 0.5) / support));
      weights.push(weight);
      total += weight;
    }
    spans.push({ first, weights: weights.map((weight) => weight / (total || 1)) });
  }
  return spans;
}

// Planes (channels x height x width, Float32Array) resampled to outHeight x outWidth.
function resize(planes, channels, height, width, outHeight, outWidth) {
  if (height === outHeight && width === outWidth) return planes;
  const columns = axisWeights(width, outWidth);
  const rows = axisWeights(height, outHeight);
  const wide = new Float32Array(channels * height * outWidth);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const source = (c * height + y) * width;
      const target = (c * height + y) * outWidth;
      for (let x = 0; x < outWidth; x++) {
        const { first, weights } = columns[x];
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * planes[source + first + k];
        wide[target + x] = sum;
      }
    }
  }
  const result = new Float32Array(channels * outHeight * outWidth);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < outHeight; y++) {
      const { first, weights } = rows[y];
      const target = (c * outHeight + y) * outWidth;
      for (let k = 0; k < weights.length; k++) {
        const source = (c * height + first + k) * outWidth;
        const weight = weights[k];
        for (let x = 0; x < outWidth; x++) result[target + x] += weight * wide[source + x];
      }
    }
  }
  return result;
}

// Reflect-pad (replicate where the pad is not smaller than the side) to a multiple, as
// colorgan.models.padding.pad_to_multiple; zero-pad for the hint planes.
function pad(planes, channels, height, width, paddedHeight, paddedWidth, mode) {
  const result = new Float32Array(channels * paddedHeight * paddedWidth);
  const reflect = (i, size) => (i < size ? i : 2 * size - 2 - i);
  const replicate = (i, size) => Math.min(i, size - 1);
  const source = mode === "reflect" ? reflect : replicate;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < paddedHeight; y++) {
      if (mode === "zeros" && y >= height) break;
      for (let x = 0; x < paddedWidth; x++) {
        if (mode === "zeros" && x >= width) break;
        const value = mode === "zeros" ? planes[(c * height + y) * width + x]
          : planes[(c * height + source(y, height)) * width + source(x, width)];
        result[(c * paddedHeight + y) * paddedWidth + x] = value;
      }
    }
  }
  return result;
}

// The hint planes (a, b, mask) at the working shape, as colorgan.hints.hint_planes; the
// hinted chroma is divided by the vividness that will scale it back.
function hintPlanes(hints, photoHeight, photoWidth, height, width, vividness) {
  const planes = new Float32Array(3 * height * width);
  const start = (center, side) =>
    Math.min(Math.max(0, Math.trunc(center) - Math.floor(HINT_SIDE / 2)),
             Math.max(0, side - HINT_SIDE));
  for (const hint of hints) {
    const level = (i) => parseInt(hint.color.slice(1 + 2 * i, 3 + 2 * i), 16);
    const [, a, b] = lab(level(0), level(1), level(2));
    const chroma = [a, b].map((value) => Math.min(Math.max(value / AB_RANGE, -1), 1)
                                        / (vividness > 0 ? vividness : 1));
    const top = start(hint.y * height / photoHeight, height);
    const left = start(hint.x * width / photoWidth, width);
    for (let y = top; y < Math.min(top + HINT_SIDE, height); y++) {
      for (let x = left; x < Math.min(left + HINT_SIDE, width); x++) {
        planes[y * width + x] = chroma[0];
        planes[(height + y) * width + x] = chroma[1];
        planes[(2 * height + y) * width + x] = 1;
      }
    }
  }
  return planes;
}

// The photo's pixels (RGBA bytes) at its own size, orientation applied.
async function photoPixels(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

// The photo in color as a PNG Blob, by an ONNX Runtime session of the model;
// settings: {size, vividness, hints: [{x, y, color}]}.
async function colorPhoto(session, file, { size, vividness, hints }) {
  const image = await photoPixels(file);
  const { width, height, data } = image;
  const pixels = width * height;
  const lightness = new Float32Array(pixels);
  const [toRed, toGreen, toBlue] = RGB_TO_XYZ[1];
  for (let i = 0; i < pixels; i++) {
    const y = toRed * linearOfByte[data[4 * i]] + toGreen * linearOfByte[data[4 * i + 1]]
      + toBlue * linearOfByte[data[4 * i + 2]];
    lightness[i] = 116 * labF(y) - 16;
  }
  const [workHeight, workWidth] = workingShape(height, width, size);
  const luminance = resize(lightness, 1, height, width, workHeight, workWidth)
    .map((value) => value / 50 - 1);
  const paddedHeight = Math.ceil(workHeight / PAD_MULTIPLE) * PAD_MULTIPLE;
  const paddedWidth = Math.ceil(workWidth / PAD_MULTIPLE) * PAD_MULTIPLE;
  const reflect = paddedHeight - workHeight < workHeight && paddedWidth - workWidth < workWidth;
  const feeds = {
    luminance: new ort.Tensor("float32", pad(luminance, 1, workHeight, workWidth, paddedHeight,
                                             paddedWidth, reflect ? "reflect" : "replicate"),
                              [1, 1, paddedHeight, paddedWidth]),
  };
  if (session.inputNames.includes("hints")) {
    const planes = hintPlanes(hints, height, width, workHeight, workWidth, vividness);
    feeds.hints = new ort.Tensor("float32", pad(planes, 3, workHeight, workWidth, paddedHeight,
                                                paddedWidth, "zeros"),
                                 [1, 3, paddedHeight, paddedWidth]);
  }
  const output = (await session.run(feeds)).chroma.data;
  const chroma = new Float32Array(2 * workHeight * workWidth);
  for (let c = 0; c < 2; c++) {
    for (let y = 0; y < workHeight; y++) {
      for (let x = 0; x < workWidth; x++) {
        const value = output[(c * paddedHeight + y) * paddedWidth + x] * vividness;
        chroma[(c * workHeight + y) * workWidth + x] = Math.min(Math.max(value, -1), 1);
      }
    }
  }
  const full = resize(chroma, 2, workHeight, workWidth, height, width);
  for (let i = 0; i < pixels; i++) {
    const fy = (lightness[i] + 16) / 116;
    const x = labFInverse(fy + Math.min(Math.max(full[i], -1), 1) * AB_RANGE / 500) * WHITE[0];
    const y = labFInverse(fy);
    const z = labFInverse(Math.max(fy - Math.min(Math.max(full[pixels + i], -1), 1)
                                   * AB_RANGE / 200, 0)) * WHITE[2];
    for (let k = 0; k < 3; k++) {
      const row = XYZ_TO_RGB[k];
      data[4 * i + k] = Math.round(srgbOfLinear(row[0] * x + row[1] * y + row[2] * z) * 255);
    }
  }
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext("2d").putImageData(image, 0, 0);
  return canvas.convertToBlob({ type: "image/png" });
}
