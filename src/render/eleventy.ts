/**
 * Runs Eleventy 3 on the staged templates with the view model as global
 * data. Eleventy only renders Nunjucks here; static files and images are
 * copied by render/index.ts.
 */
import { Eleventy } from '@11ty/eleventy';
import type { SiteConfig } from '../model/config.ts';
import { formatBytes } from '../format/bytes.ts';

export interface EleventyRun {
  pages: number;
  ms: number;
}

export async function runEleventy(templatesDir: string, outDir: string, data: Record<string, unknown>, site: SiteConfig): Promise<EleventyRun> {
  const started = performance.now();
  const dateFormat = new Intl.DateTimeFormat(site.language, { timeZone: site.timezone, dateStyle: 'medium', timeStyle: 'short' });
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
      c.addFilter('displayDate', (iso: unknown) => (typeof iso === 'string' && iso ? dateFormat.format(new Date(iso)) : ''));
      c.addFilter('rfc822', (iso: unknown) => (typeof iso === 'string' ? new Date(iso).toUTCString() : ''));
      c.addFilter('bytes', (n: unknown) => formatBytes(Number(n)));
    },
  });
  // Its "Wrote N files" line is not ours to print: the build prints one summary.
  elev.logger.overrideLogger(false);
  // For "fs", write() resolves to [passthrough copies, written templates].
  const [, templates] = (await elev.write()) as [unknown[], unknown[]];
  return { pages: templates.length, ms: Math.round(performance.now() - started) };
}

/** The part of Eleventy's (JSDoc-typed) UserConfig we use. */
interface EleventyUserConfig {
  setTemplateFormats(formats: string[]): void;
  setUseGitIgnore(enabled: boolean): void;
  setNunjucksEnvironmentOptions(options: Record<string, unknown>): void;
  addGlobalData(name: string, value: unknown): void;
  addFilter(name: string, fn: (...args: never[]) => unknown): void;
}
