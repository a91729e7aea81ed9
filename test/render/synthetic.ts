/**
 * Render input made by hand, for tests that need many articles or exact
 * dates without running the pipeline: a real config (through loadConfig),
 * feed states from the model's own constructor, articles with the fields
 * the archive stage would fill. No images (render copies none).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { emptyFeedState, type Article } from '../../src/model/archive.ts';
import type { RenderArticle, RenderFeed, RenderInput } from '../../src/render/index.ts';
import { REPO_ROOT } from '../support/tmp.ts';

export interface SyntheticFeed {
  id: string;
  title: string;
  language?: string;
  category?: string;
  /** Articles, newest first; `published` is ISO. */
  articles: (Partial<Article> & { title: string; published: string })[];
}

export async function syntheticInput(dir: string, options: { feeds: SyntheticFeed[]; site?: Record<string, unknown>; now?: Date }): Promise<RenderInput> {
  const configFile = path.join(dir, 'feeds.json');
  await mkdir(dir, { recursive: true });
  await writeFile(
    configFile,
    JSON.stringify({
      site: { title: 'Synthetic', url: 'https://example.org/digest/', language: 'en', timezone: 'Asia/Shanghai', itemsPerPage: 10, ...options.site },
      feeds: options.feeds.map((f) => ({
        id: f.id,
        url: `https://feeds.example.org/${f.id}.xml`,
        title: f.title,
        ...(f.language ? { language: f.language } : {}),
        ...(f.category ? { category: f.category } : {}),
      })),
    }),
  );
  const config = await loadConfig(configFile);
  const now = options.now ?? new Date('2026-12-01T00:00:00Z');
  const articles: RenderArticle[] = [];
  const feeds: RenderFeed[] = options.feeds.map((f) => {
    const state = emptyFeedState(f.id, `https://feeds.example.org/${f.id}.xml`);
    state.meta.title = f.title;
    state.health.lastFetchAt = now.toISOString();
    state.health.lastSuccessAt = now.toISOString();
    state.health.lastStatus = 200;
    state.articles = f.articles.map((a) => {
      const link = a.link ?? `https://blog.example.org/${f.id}/${encodeURIComponent(a.title)}`;
      const html = a.contentHtml ?? `<p>${a.title}</p>`;
      return {
        id: createHash('md5').update(link).digest('hex'),
        link,
        title: a.title,
        author: a.author ?? null,
        published: a.published,
        modified: a.modified ?? null,
        firstSeen: a.firstSeen ?? a.published,
        contentHtml: html,
        sourceHash: createHash('sha256').update(a.title + html).digest('hex'),
        excerpt: a.excerpt ?? a.title,
        categories: a.categories ?? [],
        images: [],
        cover: null,
        attachments: a.attachments ?? [],
      };
    });
    for (const article of state.articles) articles.push({ article, feedIds: [f.id], html: article.contentHtml, cover: null, images: {} });
    return {
      config: config.feeds.find((c) => c.id === f.id)!,
      state,
      icon: null,
      newArticles: 0,
      lastFetch: { status: 200, time: now.toISOString(), ms: 12, bytes: 1000, error: null, movedTo: null },
    };
  });
  articles.sort((a, b) => (a.article.published < b.article.published ? 1 : a.article.published > b.article.published ? -1 : 0));
  return {
    config,
    feeds,
    articles,
    report: { version: 1 },
    now,
    outDir: path.join(dir, 'site'),
    workDir: path.join(dir, 'work'),
    assetFile: (p) => path.join(dir, 'assets', p),
    packageRoot: REPO_ROOT,
  };
}
