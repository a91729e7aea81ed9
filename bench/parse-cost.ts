/**
 * What reading a feed costs, on the benchmark's own feeds (bench/corpus.ts,
 * RSS 2.0 with CDATA content): `parseFeed` per feed, and its parts measured
 * alone on the same texts: the repair pass, rss-parser, and the second pass
 * (xml-scan.ts). Figures and how they were taken: docs/parsing.md.
 *
 *   node --import tsx bench/parse-cost.ts [--feeds 200] [--items 50] [--rounds 7]
 *
 * Each feed's time is its fastest of the rounds (what the code costs, not
 * what the other agents on the machine cost it); the table gives the median
 * and the 95th percentile over the feeds, and the total for all of them.
 */
import { parseArgs } from 'node:util';
import Parser from 'rss-parser';
import { feedXml } from './corpus.ts';
import { parseFeed } from '../src/parse/index.ts';
import { repairXml } from '../src/parse/xml-repair.ts';
import { scanFeedXml } from '../src/parse/xml-scan.ts';

const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: '200' },
    items: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '7' },
  },
});
const feeds = Number(values.feeds);
const rounds = Number(values.rounds);
const corpus = { feeds, items: Number(values.items), images: 2000, origin: 'http://127.0.0.1:8080', end: Date.UTC(2026, 10, 26) };
const texts = Array.from({ length: feeds }, (_, f) => feedXml(f, { ...corpus }));
const repaired = texts.map(repairXml);
const url = (f: number) => `http://127.0.0.1:8080/feed/${f}.xml`;

const steps: Record<string, (f: number) => Promise<unknown> | unknown> = {
  'parseFeed (everything)': (f) => parseFeed(texts[f]!, url(f)),
  'repair pass (repairXml)': (f) => repairXml(texts[f]!),
  'rss-parser alone': (f) => new Parser({ defaultRSS: 2 }).parseString(repaired[f]!),
  'second pass alone (scanFeedXml)': (f) => scanFeedXml(repaired[f]!, url(f)),
};

const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
console.log(`${feeds} feeds × ${corpus.items} items, ${(bytes / 1024 / 1024).toFixed(1)} MB of XML, fastest of ${rounds} rounds per feed\n`);
console.log('| step | median per feed | p95 per feed | all feeds |');
console.log('| --- | --- | --- | --- |');
for (const [name, step] of Object.entries(steps)) {
  const best = new Array<number>(feeds).fill(Infinity);
  for (let r = 0; r < rounds; r++) {
    for (let f = 0; f < feeds; f++) {
      const t = performance.now();
      await step(f);
      best[f] = Math.min(best[f]!, performance.now() - t);
    }
  }
  const sorted = [...best].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const total = best.reduce((a, b) => a + b, 0);
  console.log(`| ${name} | ${at(0.5).toFixed(2)} ms | ${at(0.95).toFixed(2)} ms | ${total.toFixed(0)} ms |`);
}
