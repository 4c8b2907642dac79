// A fake camera for Chromium: delegates' real QR codes (the organizer's PNG from the API, read
// with a small PNG reader) drawn into a Y4M video that `--use-file-for-fake-video-capture`
// plays in a loop. Y4M is raw frames: a header, then per frame "FRAME\n", the Y plane and
// the two quarter-size chroma planes (grey: 128).

import { writeFileSync } from "node:fs";
import { inflateSync } from "node:zlib";

/** The greyscale pixels of an 8-bit greyscale, non-interlaced PNG (what the API writes). */
export function readGreyPng(bytes) {
  const buffer = Buffer.from(bytes);
  if (buffer.toString("latin1", 1, 4) !== "PNG") throw new Error("not a PNG");
  let offset = 8;
  let width = 0;
  let height = 0;
  const data = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString("latin1", offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[9] !== 0 || body[12] !== 0) throw new Error("expected 8-bit grey, not interlaced");
    } else if (type === "IDAT") data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    for (let x = 0; x < width; x++) {
      const v = raw[y * (width + 1) + 1 + x];
      const a = x > 0 ? pixels[y * width + x - 1] : 0;
      const b = y > 0 ? pixels[(y - 1) * width + x] : 0;
      const c = x > 0 && y > 0 ? pixels[(y - 1) * width + x - 1] : 0;
      let p;
      if (filter === 0) p = v;
      else if (filter === 1) p = v + a;
      else if (filter === 2) p = v + b;
      else if (filter === 3) p = v + ((a + b) >> 1);
      else {
        const q = a + b - c;
        const pa = Math.abs(q - a);
        const pb = Math.abs(q - b);
        const pc = Math.abs(q - c);
        p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      pixels[y * width + x] = p & 0xff;
    }
  }
  return { width, height, pixels };
}

const W = 480;
const H = 360;

/** One frame's luma plane showing `image` (a QR PNG read above) centred and scaled to fit,
 * or a blank white frame for null. */
function frame(image) {
  const y = new Uint8Array(W * H).fill(235);
  if (!image) return y;
  const scale = Math.min((H - 20) / image.height, (W - 20) / image.width);
  const size = Math.floor(image.width * scale);
  const left = Math.floor((W - size) / 2);
  const top = Math.floor((H - size) / 2);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const source = image.pixels[Math.floor(j / scale) * image.width + Math.floor(i / scale)];
      y[(top + j) * W + left + i] = source < 128 ? 16 : 235;
    }
  }
  return y;
}

/**
 * Writes a Y4M video to `file`: each `[image or null, seconds]` of `scenes` in turn, at 5
 * frames a second. Chromium loops it.
 */
export function writeY4m(file, scenes) {
  const fps = 5;
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const [image, seconds] of scenes) {
    const luma = Buffer.from(frame(image));
    for (let n = 0; n < Math.max(1, Math.round(seconds * fps)); n++) parts.push(Buffer.from("FRAME\n"), luma, chroma);
  }
  writeFileSync(file, Buffer.concat(parts));
}

/** The image of a QR code SVG as the API writes it (the `qrcode` crate: a white `rect`, then
 * one `path` of dark rectangles `M{x} {y}h{w}v{h}H{x}V{y}`), in the shape `readGreyPng` gives. */
export function readQrSvg(svg) {
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)[1]);
  const height = Number(/<svg[^>]* height="(\d+)"/.exec(svg)[1]);
  const d = /<path[^>]* d="([^"]+)"/.exec(svg)[1];
  const pixels = new Uint8Array(width * height).fill(255);
  for (const part of d.split("M").filter(Boolean)) {
    const [x, y, w, h] = part.match(/\d+/g).map(Number);
    for (let j = y; j < y + h; j++) pixels.fill(0, j * width + x, j * width + x + w);
  }
  return { width, height, pixels };
}
