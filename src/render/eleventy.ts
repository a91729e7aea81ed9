/**
 * Runs Eleventy 3 on the staged templates with the view model as global
 * data. Eleventy only renders Nunjucks here; static files and images are
 * copied by render/index.ts.
 */
/// <reference path="../types/eleventy.d.ts" />
import path from 'node:path';
import { Eleventy } from '@11ty/eleventy';
import type { SiteConfig } from '../model/config.ts';
import { formatBytes } from '../format/bytes.ts';
import { createTranslator } from '../i18n/index.ts';
import { dateFormats } from './dates.ts';
import { i18nFilters, pagefindTranslations } from './i18n-filters.ts';

/** Characters XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export interface EleventyRun {
  /** Files written (absolute paths). */
  outputs: string[];
  ms: number;
}

/** `now`: the build's clock (compact dates show no year within its year). */
export async function runEleventy(templatesDir: string, outDir: string, data: Record<string, unknown>, site: SiteConfig, now: Date): Promise<EleventyRun> {
  const started = performance.now();
  const dates = dateFormats(site.language, site.timezone, now);
  const translator = createTranslator(site.language, site.strings);
  const elev = new Eleventy(templatesDir, outDir, {
    quietMode: true,
    // Never pick up an eleventy.config.js from the user's working directory.
    configPath: false,
    config(cfg: never) {
      const c = cfg as EleventyUserConfig;
      c.setTemplateFormats(['njk']);
      // The staged templates live under --cache, which .gitignore usually lists.
      c.setUseGitIgnore(false);
      c.setNunjucksEnvironmentOptions({ autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
      for (const [name, value] of Object.entries(data)) c.addGlobalData(name, value);
      // The site's own words (src/i18n): t, number, dir, langAttrs, siteLangAttrs; the zone's name; Pagefind's words, for the search page's script.
      for (const [name, filter] of Object.entries(i18nFilters(translator))) c.addFilter(name, filter);
      c.addGlobalData('searchTranslations', JSON.stringify(pagefindTranslations(translator)));
      c.addGlobalData('timezoneName', dates.zoneName);
      // Dates in the site's zone and language: displayDate / dayDate / compactDate for people, localDate for <time datetime>.
      c.addFilter('displayDate', (iso: unknown) => (typeof iso === 'string' ? dates.display(iso) : ''));
      c.addFilter('dayDate', (iso: unknown) => (typeof iso === 'string' ? dates.day(iso) : ''));
      c.addFilter('compactDate', (iso: unknown) => (typeof iso === 'string' ? dates.compact(iso) : ''));
      c.addFilter('localDate', (iso: unknown) => (typeof iso === 'string' ? dates.local(iso) : ''));
      // For XML outputs: drop characters XML 1.0 cannot carry (autoescape does the rest).
      c.addFilter('xml', (text: unknown) => (text == null ? '' : String(text).replace(NOT_XML, '')));
      c.addFilter('rfc822', (iso: unknown) => (typeof iso === 'string' ? new Date(iso).toUTCString() : ''));
      c.addFilter('bytes', (n: unknown) => formatBytes(Number(n)));
    },
  });
  // Its "Wrote N files" line is not ours to print: the build prints one summary.
  elev.logger.overrideLogger(false);
  // For "fs", write() resolves to [passthrough copies, written templates].
  const [, templates] = (await elev.write()) as [unknown[], { outputPath?: string | false }[]];
  const outputs = templates.flatMap((t) => (typeof t.outputPath === 'string' ? [path.resolve(t.outputPath)] : []));
  return { outputs, ms: Math.round(performance.now() - started) };
}

/** The part of Eleventy's (JSDoc-typed) UserConfig we use. */
interface EleventyUserConfig {
  setTemplateFormats(formats: string[]): void;
  setUseGitIgnore(enabled: boolean): void;
  setNunjucksEnvironmentOptions(options: Record<string, unknown>): void;
  addGlobalData(name: string, value: unknown): void;
  addFilter(name: string, fn: (...args: never[]) => unknown): void;
}
