// Renders the Omni logo (public/favicon.svg) into the PNG icons the PWA manifest and iOS need.
// Run after changing the logo: npm run icons -w @omni/web (the PNGs are committed).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public');
const logo = readFileSync(path.join(publicDir, 'favicon.svg'));
// Maskable icons keep the mark inside the central 80 % "safe zone" on a full-bleed background.
const maskable = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6366f1"/><stop offset="1" stop-color="#8b5cf6"/></linearGradient></defs>
  <rect width="512" height="512" fill="url(#g)"/>
  <circle cx="256" cy="256" r="92" fill="none" stroke="#fff" stroke-width="40"/>
  <circle cx="256" cy="256" r="22" fill="#fff"/>
</svg>`);

mkdirSync(path.join(publicDir, 'icons'), { recursive: true });
const outputs = [
  [logo, 192, 'icons/icon-192.png'],
  [logo, 512, 'icons/icon-512.png'],
  [maskable, 512, 'icons/icon-maskable-512.png'],
  [maskable, 180, 'apple-touch-icon.png'],
];
for (const [svg, size, file] of outputs) {
  await sharp(svg, { density: 384 }).resize(size, size).png({ compressionLevel: 9 }).toFile(path.join(publicDir, file));
  console.log(`wrote public/${file} (${size}x${size})`);
}
