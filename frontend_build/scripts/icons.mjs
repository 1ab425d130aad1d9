// Draws the studio's app icons (public/icons/): the logo, a figure of a head and bones
// over a dark rounded square, as SVG and as PNG at 192 and 512 px (PWA installability
// wants both PNG sizes; the maskable one keeps the figure inside the safe 80 % circle).
// No dependencies: shapes are rasterised here with 4x4 supersampling, PNG via zlib.
// Run: node scripts/icons.mjs
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const BG = [11, 15, 23];
const HEAD = [34, 211, 238];
const BODY = [232, 121, 249];
// In a 32-unit box, as the favicon in index.html.
const head = { cx: 16, cy: 7, r: 4 };
const bones = [
  [16, 11, 16, 21],
  [8, 15, 16, 13],
  [16, 13, 24, 15],
  [16, 21, 10, 29],
  [16, 21, 22, 29],
];
const STROKE = 2.5;

function segmentDistance(px, py, [x1, y1, x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/** The colour at a point of the 32-unit box (figure scaled by `scale` about the centre). */
function shade(x, y, scale, rounded) {
  const u = 16 + (x - 16) / scale;
  const v = 16 + (y - 16) / scale;
  if (rounded) {
    const r = 6;
    const qx = Math.max(r - x, 0, x - (32 - r));
    const qy = Math.max(r - y, 0, y - (32 - r));
    if (Math.hypot(qx, qy) > r) return null;
  }
  if (Math.hypot(u - head.cx, v - head.cy) <= head.r) return HEAD;
  if (bones.some((b) => segmentDistance(u, v, b) <= STROKE / 2)) return BODY;
  return BG;
}

function raster(size, scale, rounded) {
  const n = 4;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = shade(
            ((px + (sx + 0.5) / n) * 32) / size,
            ((py + (sy + 0.5) / n) * 32) / size,
            scale,
            rounded,
          );
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const i = (py * size + px) * 4;
      rgba[i] = a ? r / a : 0;
      rgba[i + 1] = a ? g / a : 0;
      rgba[i + 2] = a ? b / a : 0;
      rgba[i + 3] = (255 * a) / (n * n);
    }
  }
  return rgba;
}

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const byte of buf) c = CRC[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = new URL("../public/icons/", import.meta.url);
for (const size of [192, 512]) {
  writeFileSync(new URL(`icon-${size}.png`, out), png(size, raster(size, 0.85, true)));
  writeFileSync(new URL(`maskable-${size}.png`, out), png(size, raster(size, 0.62, false)));
}
const lines = bones.map(([x1, y1, x2, y2]) => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>`).join("");
writeFileSync(
  new URL("icon.svg", out),
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="rgb(${BG})"/>` +
    `<g transform="translate(16 16) scale(0.85) translate(-16 -16)"><circle cx="${head.cx}" cy="${head.cy}" r="${head.r}" fill="rgb(${HEAD})"/>` +
    `<g stroke="rgb(${BODY})" stroke-width="${STROKE}" stroke-linecap="round">${lines}</g></g></svg>\n`,
);
