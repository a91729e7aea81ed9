/**
 * SVG is never served from the site as SVG (it can carry script that would
 * run on our origin): it is rasterized to WebP by librsvg, which runs no
 * script. But librsvg does load what an SVG points at (files on the build
 * machine through `<image href="file:…">`, XInclude, external entities,
 * stylesheets), so an SVG that refers to anything outside itself is refused
 * here and keeps its remote URL instead.
 */
import { decodeXML } from 'entities';

export function looksLikeSvg(buf: Buffer): boolean {
  const head = buf.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<svg')) return true;
  if (!head.startsWith('<?xml') && !head.startsWith('<!--') && !head.startsWith('<!DOCTYPE')) return false;
  return /<svg[\s>]/.test(head);
}

/** Why this SVG must not be rasterized, or null when it is self-contained. */
export function svgExternalReference(text: string): string | null {
  if (/<!ENTITY/i.test(text)) return 'declares XML entities';
  if (/<!DOCTYPE[^>[]*\b(SYSTEM|PUBLIC)\b/i.test(text)) return 'refers to an external DTD';
  if (/<\?xml-stylesheet/i.test(text)) return 'links an external stylesheet';
  if (/@import/i.test(text)) return 'imports a stylesheet';
  if (/<(?:[\w.-]+:)?include\b/i.test(text)) return 'uses XInclude';
  for (const m of text.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)/gi)) {
    if (!internal(m[2]!)) return `refers to ${m[2]!.slice(0, 80)}`;
  }
  for (const tag of text.matchAll(/<([\w:.-]+)\b([^>]*)>/g)) {
    const name = tag[1]!.replace(/^[\w.-]+:/, '').toLowerCase();
    // A link does nothing in a raster image and script never runs; anything else with an href is loaded.
    if (name === 'a' || name === 'script') continue;
    for (const attr of tag[2]!.matchAll(/(?:^|\s)(?:[\w.-]+:)?href\s*=\s*(["'])([\s\S]*?)\1/gi)) {
      if (!internal(attr[2]!)) return `<${name}> loads ${attr[2]!.slice(0, 80)}`;
    }
  }
  return null;
}

/** A fragment reference or an embedded raster image; nothing that leaves the file. */
function internal(raw: string): boolean {
  const value = decodeXML(raw).replace(/[\s\u0000-\u001f]+/g, '');
  return value.startsWith('#') || /^data:image\/(png|gif|jpe?g|webp);/i.test(value);
}
