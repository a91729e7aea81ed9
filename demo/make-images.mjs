#!/usr/bin/env node
// Generates every binary asset served by the demo feed server (demo/feeds/):
//   demo/feeds/img/*.jpg|png|gif   article images (SVG drawn, rendered by sharp)
//   demo/feeds/icons/*.png         32x32 favicons, one per demo site
//   demo/feeds/pixel.gif           1x1 "tracking pixel"
//   demo/feeds/media/episode1.mp3  placeholder audio (a few KB of silent MPEG frames)
//
// Deterministic and offline: run `node demo/make-images.mjs` from the repo root
// (or anywhere) and commit the output. Only DejaVu fonts are assumed, so all
// labels drawn into the images are ASCII.
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
const feedsDir = join(here, 'feeds');
const imgDir = join(feedsDir, 'img');
const iconDir = join(feedsDir, 'icons');
const mediaDir = join(feedsDir, 'media');

// Small deterministic PRNG (mulberry32) so reruns produce identical pixels.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function label(w, h, title, subtitle, fg = '#ffffff') {
  const size = Math.round(w / 18);
  return `
  <g font-family="DejaVu Sans, sans-serif" fill="${fg}">
    <rect x="${w * 0.05}" y="${h - size * 3.4}" width="${w * 0.9}" height="${size * 2.8}" rx="${size * 0.3}" fill="#000" fill-opacity="0.35"/>
    <text x="${w * 0.08}" y="${h - size * 2.05}" font-size="${size}" font-weight="bold">${esc(title)}</text>
    <text x="${w * 0.08}" y="${h - size * 1.0}" font-size="${Math.round(size * 0.55)}" fill-opacity="0.85">${esc(subtitle)}</text>
  </g>`;
}

// Each scene returns SVG markup for a w x h canvas. Palettes and shapes differ
// so thumbnails are easy to tell apart in the generated site.
const scenes = {
  terminal(w, h) {
    const lines = [
      '$ feed-digest build --config feeds.json',
      '  fetching 5 feeds ......... done (412 ms)',
      '  parsing 31 items ......... done',
      '  optimising 14 images ..... done (avif, webp, jpeg)',
      '  writing _site/ ........... 58 files',
      '$ _',
    ];
    const fs = Math.round(w / 42);
    return `
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#0f2027"/><stop offset="0.5" stop-color="#203a43"/><stop offset="1" stop-color="#2c5364"/></linearGradient></defs>
    <rect width="${w}" height="${h}" fill="url(#g)"/>
    <rect x="${w * 0.08}" y="${h * 0.1}" width="${w * 0.84}" height="${h * 0.62}" rx="${w * 0.012}" fill="#111" fill-opacity="0.85" stroke="#4ec9b0" stroke-width="${w / 400}"/>
    <circle cx="${w * 0.1}" cy="${h * 0.14}" r="${w * 0.007}" fill="#ff5f56"/>
    <circle cx="${w * 0.12}" cy="${h * 0.14}" r="${w * 0.007}" fill="#ffbd2e"/>
    <circle cx="${w * 0.14}" cy="${h * 0.14}" r="${w * 0.007}" fill="#27c93f"/>
    <g font-family="DejaVu Sans Mono, monospace" font-size="${fs}" fill="#9cdcfe">
      ${lines.map((l, i) => `<text x="${w * 0.11}" y="${h * 0.22 + i * fs * 1.5}">${esc(l)}</text>`).join('')}
    </g>`;
  },
  chart(w, h) {
    const r = rng(7);
    const n = 14;
    const bw = (w * 0.8) / n;
    let bars = '';
    for (let i = 0; i < n; i++) {
      const bh = h * (0.12 + r() * 0.45);
      bars += `<rect x="${w * 0.1 + i * bw + bw * 0.12}" y="${h * 0.7 - bh}" width="${bw * 0.76}" height="${bh}" fill="hsl(${200 + i * 6},70%,${45 + (i % 3) * 8}%)"/>`;
    }
    let pts = '';
    for (let i = 0; i <= n; i++) pts += `${w * 0.1 + i * bw},${h * (0.25 + 0.1 * Math.sin(i / 2))} `;
    return `
    <rect width="${w}" height="${h}" fill="#f7f9fc"/>
    ${[0.2, 0.35, 0.5, 0.7].map((y) => `<line x1="${w * 0.08}" x2="${w * 0.92}" y1="${h * y}" y2="${h * y}" stroke="#d5dce6" stroke-width="2"/>`).join('')}
    ${bars}
    <polyline points="${pts}" fill="none" stroke="#e4572e" stroke-width="${w / 250}" stroke-linejoin="round"/>`;
  },
  mountains(w, h) {
    return `
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#ff9a8b"/><stop offset="0.55" stop-color="#ff6a88"/><stop offset="1" stop-color="#ff99ac"/></linearGradient></defs>
    <rect width="${w}" height="${h}" fill="url(#sky)"/>
    <circle cx="${w * 0.72}" cy="${h * 0.32}" r="${h * 0.1}" fill="#fff3b0"/>
    <polygon points="0,${h} ${w * 0.22},${h * 0.42} ${w * 0.4},${h * 0.7} ${w * 0.58},${h * 0.38} ${w},${h * 0.8} ${w},${h}" fill="#5b3a63"/>
    <polygon points="0,${h} ${w * 0.15},${h * 0.7} ${w * 0.35},${h * 0.82} ${w * 0.62},${h * 0.6} ${w * 0.85},${h * 0.78} ${w},${h * 0.7} ${w},${h}" fill="#2e1f3d"/>`;
  },
  sketch(w, h) {
    const r = rng(11);
    let shapes = '';
    for (let i = 0; i < 18; i++) {
      const x = r() * w, y = r() * h * 0.7, s = 40 + r() * w * 0.08;
      shapes += i % 2
        ? `<rect x="${x}" y="${y}" width="${s}" height="${s * 0.7}" fill="none" stroke="#335c67" stroke-width="6" transform="rotate(${r() * 30 - 15} ${x} ${y})"/>`
        : `<circle cx="${x}" cy="${y}" r="${s / 2}" fill="#e09f3e" fill-opacity="0.55"/>`;
    }
    return `<rect width="${w}" height="${h}" fill="#fff8e7"/>
    ${Array.from({ length: 20 }, (_, i) => `<line x1="0" x2="${w}" y1="${(i * h) / 20}" y2="${(i * h) / 20}" stroke="#c9d6df" stroke-width="2"/>`).join('')}
    ${shapes}`;
  },
  typography(w, h) {
    return `<rect width="${w}" height="${h}" fill="#1d3557"/>
    <text x="${w * 0.08}" y="${h * 0.55}" font-family="DejaVu Serif, serif" font-size="${h * 0.5}" fill="#f1faee">Aa</text>
    <text x="${w * 0.55}" y="${h * 0.3}" font-family="DejaVu Sans Mono, monospace" font-size="${h * 0.08}" fill="#a8dadc">16/24</text>
    <text x="${w * 0.55}" y="${h * 0.42}" font-family="DejaVu Sans, sans-serif" font-size="${h * 0.06}" fill="#e63946">measure 66ch</text>`;
  },
  dashboard(w, h) {
    const r = rng(3);
    let cards = '';
    for (let row = 0; row < 2; row++)
      for (let col = 0; col < 3; col++) {
        const x = w * (0.05 + col * 0.31), y = h * (0.08 + row * 0.33);
        const v = Math.round(r() * 900 + 100);
        cards += `<rect x="${x}" y="${y}" width="${w * 0.28}" height="${h * 0.28}" rx="18" fill="#ffffff"/>
        <text x="${x + 30}" y="${y + h * 0.12}" font-family="DejaVu Sans" font-size="${h * 0.07}" font-weight="bold" fill="#264653">${v}</text>
        <rect x="${x + 30}" y="${y + h * 0.18}" width="${w * 0.22 * r()}" height="${h * 0.03}" rx="6" fill="hsl(${col * 90 + row * 40},60%,55%)"/>`;
      }
    return `<rect width="${w}" height="${h}" fill="#e9eef3"/>${cards}`;
  },
  microscope(w, h) {
    const r = rng(21);
    let cells = '';
    for (let i = 0; i < 40; i++) {
      const x = r() * w, y = r() * h, rr = 20 + r() * w * 0.05;
      cells += `<ellipse cx="${x}" cy="${y}" rx="${rr}" ry="${rr * (0.6 + r() * 0.4)}" fill="hsl(${280 + r() * 60},55%,${55 + r() * 20}%)" fill-opacity="0.6"/>
      <circle cx="${x}" cy="${y}" r="${rr * 0.3}" fill="#3c1053" fill-opacity="0.7"/>`;
    }
    return `<defs><radialGradient id="rg"><stop offset="0" stop-color="#fdf6ff"/><stop offset="1" stop-color="#d9c2e8"/></radialGradient></defs>
    <rect width="${w}" height="${h}" fill="url(#rg)"/>${cells}`;
  },
  orbit(w, h) {
    return `<rect width="${w}" height="${h}" fill="#0b0c2a"/>
    ${Array.from({ length: 120 }, (_, i) => { const r = rng(100 + i); return `<circle cx="${r() * w}" cy="${r() * h}" r="${1 + r() * 3}" fill="#fff" fill-opacity="${0.3 + r() * 0.7}"/>`; }).join('')}
    <circle cx="${w / 2}" cy="${h / 2}" r="${h * 0.16}" fill="#3a86ff"/>
    <ellipse cx="${w / 2}" cy="${h / 2}" rx="${w * 0.32}" ry="${h * 0.12}" fill="none" stroke="#ffbe0b" stroke-width="6" transform="rotate(-18 ${w / 2} ${h / 2})"/>
    <circle cx="${w * 0.8}" cy="${h * 0.36}" r="${h * 0.03}" fill="#fb5607"/>`;
  },
  podcast(w, h) {
    return `<defs><linearGradient id="p" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#7f00ff"/><stop offset="1" stop-color="#e100ff"/></linearGradient></defs>
    <rect width="${w}" height="${h}" fill="url(#p)"/>
    <rect x="${w * 0.4}" y="${h * 0.15}" width="${w * 0.2}" height="${h * 0.38}" rx="${w * 0.1}" fill="#fff"/>
    <path d="M ${w * 0.3} ${h * 0.42} a ${w * 0.2} ${w * 0.2} 0 0 0 ${w * 0.4} 0" fill="none" stroke="#fff" stroke-width="${w * 0.025}"/>
    <rect x="${w * 0.485}" y="${h * 0.62}" width="${w * 0.03}" height="${h * 0.1}" fill="#fff"/>`;
  },
  // Chinese-feed photos: city / chip / EV / chart themes.
  city(w, h) {
    const r = rng(31);
    let b = '';
    for (let x = 0; x < w; ) {
      const bw = 40 + r() * 120, bh = h * (0.25 + r() * 0.5);
      b += `<rect x="${x}" y="${h - bh}" width="${bw}" height="${bh}" fill="hsl(210,30%,${15 + r() * 20}%)"/>`;
      for (let yy = h - bh + 15; yy < h - 10; yy += 28)
        for (let xx = x + 8; xx < x + bw - 12; xx += 22) if (r() > 0.45) b += `<rect x="${xx}" y="${yy}" width="10" height="14" fill="#ffd166"/>`;
      x += bw + 6;
    }
    return `<defs><linearGradient id="n" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#03045e"/><stop offset="1" stop-color="#0077b6"/></linearGradient></defs>
    <rect width="${w}" height="${h}" fill="url(#n)"/>${b}`;
  },
  chip(w, h) {
    let pins = '';
    for (let i = 0; i < 12; i++) {
      const p = w * 0.3 + (i * w * 0.4) / 11;
      pins += `<rect x="${p - 6}" y="${h * 0.18}" width="12" height="${h * 0.1}" fill="#c0c0c0"/><rect x="${p - 6}" y="${h * 0.72}" width="12" height="${h * 0.1}" fill="#c0c0c0"/>`;
    }
    return `<rect width="${w}" height="${h}" fill="#004b23"/>
    ${Array.from({ length: 16 }, (_, i) => `<path d="M 0 ${i * h / 16} H ${w * 0.25} L ${w * 0.3} ${h / 2}" stroke="#38b000" stroke-width="3" fill="none"/>`).join('')}
    ${pins}<rect x="${w * 0.28}" y="${h * 0.27}" width="${w * 0.44}" height="${h * 0.46}" rx="12" fill="#212529"/>
    <text x="${w * 0.5}" y="${h * 0.53}" text-anchor="middle" font-family="DejaVu Sans Mono" font-size="${h * 0.09}" fill="#adb5bd">NPU-7</text>`;
  },
  ev(w, h) {
    return `<rect width="${w}" height="${h}" fill="#caf0f8"/>
    <rect y="${h * 0.75}" width="${w}" height="${h * 0.25}" fill="#6c757d"/>
    <rect x="${w * 0.2}" y="${h * 0.48}" width="${w * 0.6}" height="${h * 0.2}" rx="40" fill="#ef233c"/>
    <path d="M ${w * 0.32} ${h * 0.48} L ${w * 0.4} ${h * 0.34} H ${w * 0.62} L ${w * 0.7} ${h * 0.48} Z" fill="#d90429"/>
    <circle cx="${w * 0.32}" cy="${h * 0.7}" r="${h * 0.07}" fill="#2b2d42"/><circle cx="${w * 0.68}" cy="${h * 0.7}" r="${h * 0.07}" fill="#2b2d42"/>
    <path d="M ${w * 0.86} ${h * 0.2} l -30 60 h 25 l -20 55 l 50 -70 h -25 l 20 -45 z" fill="#ffb703"/>`;
  },
  candles(w, h) {
    const r = rng(41);
    let c = '', v = h * 0.5;
    for (let i = 0; i < 24; i++) {
      const nv = v + (r() - 0.45) * h * 0.12, x = w * 0.05 + i * w * 0.037;
      const up = nv < v, top = Math.min(v, nv), bh = Math.max(6, Math.abs(nv - v));
      c += `<line x1="${x + 10}" x2="${x + 10}" y1="${top - 20}" y2="${top + bh + 20}" stroke="#888" stroke-width="2"/>
      <rect x="${x}" y="${top}" width="20" height="${bh}" fill="${up ? '#e63946' : '#2a9d8f'}"/>`;
      v = nv;
    }
    return `<rect width="${w}" height="${h}" fill="#111827"/>${c}`;
  },
};

const jpegs = [
  // file, width, height, scene, title
  ['hero-terminal.jpg', 2400, 1350, 'terminal', 'Build log'],
  ['latency-chart.jpg', 1600, 900, 'chart', 'p95 latency by week'],
  ['mountains.jpg', 2000, 1333, 'mountains', 'Dusk over the ridge', { grain: 14 }],
  ['whiteboard.jpg', 1200, 800, 'sketch', 'Whiteboard session'],
  ['type-specimen.jpg', 800, 600, 'typography', 'Type specimen'],
  ['dashboard.jpg', 1920, 1080, 'dashboard', 'Ops dashboard'],
  ['microscope.jpg', 1400, 933, 'microscope', 'Cell culture, 40x', { grain: 10 }],
  ['orbit.jpg', 1800, 1012, 'orbit', 'Orbital resonance'],
  ['podcast-cover.jpg', 1000, 1000, 'podcast', 'Shipping Notes'],
  ['zh-1.jpg', 1080, 720, 'city', 'zh-1 / city'],
  ['zh-2.jpg', 900, 600, 'chip', 'zh-2 / chip'],
  ['zh-3.jpg', 1280, 720, 'ev', 'zh-3 / EV'],
  ['zh-4.jpg', 1080, 608, 'candles', 'zh-4 / market'],
];

function svg(w, h, body) {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`);
}

async function makeJpegs() {
  for (const [file, w, h, scene, title, opts = {}] of jpegs) {
    const body = scenes[scene](w, h) + label(w, h, title, `${file}  ${w}x${h}`);
    let img = sharp(svg(w, h, body)).flatten({ background: '#ffffff' });
    if (opts.grain) {
      // Film grain makes these two compress like real photos (bigger files,
      // so the image optimiser has something to do). Drawn from the seeded
      // PRNG so reruns are byte-identical.
      const r = rng(w * h);
      const px = Buffer.alloc(w * h);
      for (let i = 0; i < px.length; i++) px[i] = Math.max(0, Math.min(255, Math.round(128 + (r() + r() + r() - 1.5) * opts.grain * 2)));
      const grain = await sharp(px, { raw: { width: w, height: h, channels: 1 } }).toColourspace('srgb').png().toBuffer();
      img = sharp(await img.composite([{ input: grain, blend: 'overlay' }]).png().toBuffer());
    }
    await img.jpeg({ quality: 80, mozjpeg: true }).toFile(join(imgDir, file));
  }
}

async function makePngs() {
  // 1) Logo with transparent background and a soft (semi-transparent) shadow.
  {
    const w = 600, h = 400;
    const body = `
      <defs><filter id="s" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="12"/></filter></defs>
      <ellipse cx="300" cy="330" rx="200" ry="28" fill="#000" fill-opacity="0.35" filter="url(#s)"/>
      <rect x="110" y="60" width="380" height="240" rx="48" fill="#ff006e" fill-opacity="0.9"/>
      <circle cx="210" cy="180" r="70" fill="#ffffff" fill-opacity="0.6"/>
      <text x="300" y="200" font-family="DejaVu Sans" font-weight="bold" font-size="72" fill="#fff">fd</text>
      <text x="300" y="270" font-family="DejaVu Sans" font-size="22" fill="#fff">logo-alpha.png</text>`;
    await sharp(svg(w, h, body)).png({ compressionLevel: 9 }).toFile(join(imgDir, 'logo-alpha.png'));
  }
  // 2) Translucent colour swatches (overlapping circles, alpha < 1 everywhere).
  {
    const w = 480, h = 480;
    const body = `
      <circle cx="180" cy="180" r="130" fill="#ff0054" fill-opacity="0.55"/>
      <circle cx="300" cy="180" r="130" fill="#00bbf9" fill-opacity="0.55"/>
      <circle cx="240" cy="290" r="130" fill="#fee440" fill-opacity="0.55"/>
      <text x="240" y="460" text-anchor="middle" font-family="DejaVu Sans" font-size="22" fill="#333">swatches-alpha.png</text>`;
    await sharp(svg(w, h, body)).png({ compressionLevel: 9 }).toFile(join(imgDir, 'swatches-alpha.png'));
  }
}

async function makeGif() {
  // 6-frame loading animation; each frame has a distinct dominant colour.
  const w = 240, h = 240;
  const colours = ['#e63946', '#f4a261', '#e9c46a', '#2a9d8f', '#457b9d', '#9b5de5'];
  const frames = [];
  for (let i = 0; i < colours.length; i++) {
    const a = (i * 360) / colours.length;
    const body = `<rect width="${w}" height="${h}" fill="${colours[i]}"/>
      <circle cx="120" cy="120" r="70" fill="none" stroke="#ffffff" stroke-opacity="0.35" stroke-width="18"/>
      <path d="M 120 50 A 70 70 0 0 1 190 120" fill="none" stroke="#ffffff" stroke-width="18" stroke-linecap="round" transform="rotate(${a} 120 120)"/>
      <text x="120" y="130" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" font-size="30" fill="#fff">${i + 1}/${colours.length}</text>`;
    frames.push(await sharp(svg(w, h, body)).ensureAlpha().raw().toBuffer());
  }
  await sharp(Buffer.concat(frames), { raw: { width: w, height: h * frames.length, channels: 4, pageHeight: h } })
    .gif({ delay: Array(frames.length).fill(250), loop: 0 })
    .toFile(join(imgDir, 'spinner.gif'));
}

const icons = [
  ['tech-blog.png', '#0f4c5c', '>_'],
  ['design-notes.png', '#ff006e', 'Dn'],
  ['science-notes.png', '#6a4c93', 'Sc'],
  ['zh-news.png', '#d00000', 'Zh'],
  ['podcast.png', '#7f00ff', 'Po'],
];

async function makeIcons() {
  for (const [file, bg, txt] of icons) {
    const body = `<rect width="32" height="32" rx="7" fill="${bg}"/>
      <text x="16" y="21.5" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" font-size="14" fill="#fff">${esc(txt)}</text>`;
    await sharp(svg(32, 32, body)).png({ compressionLevel: 9 }).toFile(join(iconDir, file));
  }
}

async function makePixel() {
  await sharp({ create: { width: 1, height: 1, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .gif()
    .toFile(join(feedsDir, 'pixel.gif'));
}

// Placeholder "episode": an ID3v2.3 tag followed by silent MPEG-1 Layer III
// frames (128 kbit/s, 44.1 kHz, joint stereo). Headers are valid, side info and
// main data are all zero, so decoders play ~0.5 s of silence. NOT real audio.
function makeMp3() {
  const text = (id, s) => {
    const payload = Buffer.concat([Buffer.from([0x03]), Buffer.from(s, 'utf8')]); // 0x03 = UTF-8
    const hdr = Buffer.alloc(10);
    hdr.write(id, 0, 'latin1');
    hdr.writeUInt32BE(payload.length, 4);
    return Buffer.concat([hdr, payload]);
  };
  const frames = Buffer.concat([
    text('TIT2', 'Episode 1 (placeholder: silent audio generated by demo/make-images.mjs)'),
    text('TPE1', 'Shipping Notes (feed-digest demo)'),
    text('TALB', 'feed-digest demo fixtures'),
  ]);
  const syncsafe = (n) => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
  const id3 = Buffer.concat([Buffer.from('ID3'), Buffer.from([3, 0, 0]), syncsafe(frames.length), frames]);
  const frameLen = Math.floor((144 * 128000) / 44100); // 417 bytes, no padding
  const audio = [];
  for (let i = 0; i < 20; i++) {
    const f = Buffer.alloc(frameLen);
    f.set([0xff, 0xfb, 0x90, 0x44]); // sync, MPEG1 L3 no CRC, 128k, 44.1k, no pad, joint stereo
    audio.push(f);
  }
  return writeFile(join(mediaDir, 'episode1.mp3'), Buffer.concat([id3, ...audio]));
}

await rm(imgDir, { recursive: true, force: true });
await rm(iconDir, { recursive: true, force: true });
for (const d of [imgDir, iconDir, mediaDir]) await mkdir(d, { recursive: true });
await makeJpegs();
await makePngs();
await makeGif();
await makeIcons();
await makePixel();
await makeMp3();

const gifMeta = await sharp(join(imgDir, 'spinner.gif')).metadata();
if (!(gifMeta.pages >= 4)) throw new Error(`spinner.gif has ${gifMeta.pages} pages, expected >= 4`);
console.log(`demo assets written to ${feedsDir} (spinner.gif: ${gifMeta.pages} frames)`);
