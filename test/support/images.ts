// Test images made with sharp: a screenshot-like one (flat colours, lines of text) and a photo-like one (smooth
// gradients with grain), the two ends of what people attach; and a PNG whose header declares any size.
import sharp from 'sharp';
import { crc32 } from './zip.ts';

export async function screenshotLike(width = 1280, height = 800): Promise<Buffer> {
  const lines = Array.from({ length: 18 }, (_, i) =>
    `<text x="${i % 3 === 0 ? 40 : 300}" y="${110 + i * 36}" font-family="sans-serif" font-size="20" fill="#222">Line ${i + 1}: the quick brown fox jumps over the lazy dog, 0123456789</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#fafafa"/><rect width="100%" height="64" fill="#2b5797"/>
    <text x="24" y="42" font-family="sans-serif" font-size="26" fill="#fff">MistralChat</text>
    <rect x="0" y="64" width="260" height="${height - 64}" fill="#eceff3"/>${lines}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function photoLike(width = 1600, height = 1200, seed = 7): Promise<Buffer> {
  // Foliage: many small leaves of varied colour, the fine detail a downscaled photo keeps (seeded: same bytes each run;
  // another seed, another picture).
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const leaves = Array.from({ length: 1500 }, () => {
    const x = rnd() * width; const y = height * (0.45 + rnd() * 0.55); const r = 4 + rnd() * 22;
    return `<ellipse cx="${x.toFixed(0)}" cy="${y.toFixed(0)}" rx="${r.toFixed(0)}" ry="${(r * 0.6).toFixed(0)}" fill="hsl(${(70 + rnd() * 80).toFixed(0)},${(30 + rnd() * 50).toFixed(0)}%,${(15 + rnd() * 45).toFixed(0)}%)"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>
    <radialGradient id="sun" cx="30%" cy="35%" r="60%"><stop offset="0" stop-color="#ffd27f"/><stop offset="0.5" stop-color="#e0785a"/><stop offset="1" stop-color="#2d3a5c"/></radialGradient>
    <linearGradient id="hill" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#3c6e3c"/><stop offset="1" stop-color="#1d331f"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#sun)"/>
    <path d="M0 ${height * 0.7} Q ${width * 0.3} ${height * 0.5} ${width * 0.6} ${height * 0.72} T ${width} ${height * 0.65} V ${height} H 0 Z" fill="url(#hill)"/>${leaves}</svg>`;
  const base = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  // Sensor grain: what makes a photo cost more bytes than a flat drawing.
  const noise = await sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 12 } } }).raw().toBuffer();
  const out = Buffer.alloc(base.length);
  for (let i = 0; i < base.length; i++) out[i] = Math.max(0, Math.min(255, base[i] + noise[i] - 128));
  return sharp(out, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/** A PNG that declares width x height in its header and holds almost nothing: a decompression bomb's shape. */
export function pngDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}
