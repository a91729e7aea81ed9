/**
 * Lenient dates: the dates.xml fixture read in two site time zones, a table
 * of formats, independence from the build machine's zone, and fast-check
 * properties (never throws, idempotent, round-trips real instants).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDate } from '../../src/parse/dates.ts';
import { fixtureReader, ok } from './serve.ts';

test('dates.xml: each format, in the site\'s zone (UTC vs Asia/Shanghai) and in a Chinese feed', async (t) => {
  const read = await fixtureReader(t);
  const utc = ok(await read('dates.xml', { timezone: 'UTC' })).items.map((i) => i.published);
  const shanghai = ok(await read('dates.xml', { timezone: 'Asia/Shanghai' })).items.map((i) => i.published);
  const chinese = ok(await read('dates.xml', { timezone: 'UTC', language: 'zh-CN' })).items.map((i) => i.published);
  // RFC CST, GMT+8, ISO offset, SQL no zone, Chinese, garbage
  assert.deepEqual(utc, ['2020-12-03T17:03:00.000Z', '2020-12-03T03:03:00.000Z', '2020-12-03T03:03:00.000Z', '2020-12-03T11:03:00.000Z', '2020-12-03T03:03:00.000Z', null]);
  assert.deepEqual(shanghai, ['2020-12-03T17:03:00.000Z', '2020-12-03T03:03:00.000Z', '2020-12-03T03:03:00.000Z', '2020-12-03T03:03:00.000Z', '2020-12-03T03:03:00.000Z', null]);
  // A Chinese feed: CST is China Standard Time and a zone-less date is Beijing time.
  assert.deepEqual(chinese, ['2020-12-03T03:03:00.000Z', '2020-12-03T03:03:00.000Z', '2020-12-03T03:03:00.000Z', '2020-12-03T03:03:00.000Z', '2020-12-03T03:03:00.000Z', null]);
});

const TABLE: [string, { timezone?: string; language?: string }, string | null][] = [
  ['Thu, 03 Dec 2020 11:03:00 GMT', {}, '2020-12-03T11:03:00.000Z'],
  ['Thu, 3 Dec 2020 11:03:00 +0800 (CST)', {}, '2020-12-03T03:03:00.000Z'],
  ['Thu, 03 Dec 2020 11:03 +08:00', {}, '2020-12-03T03:03:00.000Z'],
  ['Thu, 03 Dec 2020 11:03:00 UTC+8', {}, '2020-12-03T03:03:00.000Z'],
  ['Thu, 03 Dec 2020 11:03:00 GMT-05:30', {}, '2020-12-03T16:33:00.000Z'],
  ['Thu, 03 Dec 20 11:03:00 EST', {}, '2020-12-03T16:03:00.000Z'],
  ['03 Dec 2020 11:03:00', { timezone: 'America/New_York' }, '2020-12-03T16:03:00.000Z'],
  ['03 Jul 2020 11:03:00', { timezone: 'America/New_York' }, '2020-07-03T15:03:00.000Z'],
  ['Thursday, 03-Dec-2020 11:03:00 GMT', {}, '2020-12-03T11:03:00.000Z'],
  ['Dec 3, 2020 11:03 PM', { timezone: 'Europe/Paris' }, '2020-12-03T22:03:00.000Z'],
  ['December 3rd, 2020', {}, '2020-12-03T00:00:00.000Z'],
  ['Thu Dec 03 2020 11:03:00 GMT+0800 (China Standard Time)', {}, '2020-12-03T03:03:00.000Z'],
  ['2020-12-03T11:03:00Z', {}, '2020-12-03T11:03:00.000Z'],
  ['2020-12-03T11:03:00.250+0800', {}, '2020-12-03T03:03:00.250Z'],
  ['2020-12-03T11:03+08', {}, '2020-12-03T03:03:00.000Z'],
  ['2020/12/03 11:03', { timezone: 'Asia/Tokyo' }, '2020-12-03T02:03:00.000Z'],
  ['2020-12-03', { timezone: 'Asia/Shanghai' }, '2020-12-02T16:00:00.000Z'],
  ['2020-12-03 11:03:00 CST', { language: 'zh' }, '2020-12-03T03:03:00.000Z'],
  ['2020年12月03日 11:03', {}, '2020-12-03T03:03:00.000Z'],
  ['2020年12月3日 下午3:05', {}, '2020-12-03T07:05:00.000Z'],
  ['2020年12月3日', {}, '2020-12-02T16:00:00.000Z'],
  ['1606964580', {}, '2020-12-03T03:03:00.000Z'],
  ['garbage', {}, null],
  ['', {}, null],
  ['Thu, 31 Feb 2020 11:03:00 GMT', {}, null],
  ['0000-00-00 00:00:00', {}, null],
  ['1900-01-01T00:00:00Z', {}, null],
  ['2020-12-03T11:03:00 XYZ', {}, null],
];

test('a table of formats, odd zones and non-dates', () => {
  for (const [raw, hints, expected] of TABLE) assert.equal(parseDate(raw, hints), expected, JSON.stringify([raw, hints]));
});

test('the build machine\'s time zone never matters', (t) => {
  const saved = process.env.TZ;
  t.after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
  const results = ['Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Kathmandu'].map((tz) => {
    process.env.TZ = tz; // Node applies a TZ change at once
    assert.notEqual(new Date(2020, 0, 1).getTimezoneOffset(), 0, `the process runs in ${tz}`);
    return TABLE.map(([raw, hints]) => parseDate(raw, hints));
  });
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
  assert.deepEqual(results[0], TABLE.map(([, , expected]) => expected));
});

/** Strings made of the pieces dates are made of, so the properties reach every branch. */
const dateish = fc
  .array(
    fc.oneof(
      fc.constantFrom('2020', '12', '3', '03', '31', '11', '1606964580', '-', '/', '.', ' ', ',', 'T', ':', '：', 'Z', '+', '08', '+08:00', '-0530', 'GMT', 'UTC', 'CST', 'EST', 'XYZ', 'Thu,', 'Dec', 'December', 'Feb', 'AM', 'pm', '(CST)', '年', '月', '日', '下午', 'st'),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));
const hints = fc.record({
  timezone: fc.option(fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York', 'Not/AZone', '')),
  language: fc.option(fc.constantFrom('zh-CN', 'en', 'zh', '')),
});

test('property: never throws, and returns null or a canonical ISO string', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), dateish), hints, (raw, h) => {
      const r = parseDate(raw, h);
      assert.ok(r === null || (typeof r === 'string' && new Date(r).toISOString() === r));
    }),
    { numRuns: 1000 },
  );
});

test('property: idempotent (parsing an output gives the same output, whatever the hints)', () => {
  fc.assert(
    fc.property(dateish, hints, hints, (raw, h1, h2) => {
      const once = parseDate(raw, h1);
      if (once !== null) assert.equal(parseDate(once, h2), once);
    }),
    { numRuns: 1000 },
  );
});

test('property: a real instant written as RFC 822, ISO 8601 or with an offset reads back as itself', () => {
  const instant = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
  const offset = fc.integer({ min: -12 * 60, max: 14 * 60 }).map((m) => Math.round(m / 15) * 15);
  fc.assert(
    fc.property(instant, offset, (d, off) => {
      const iso = d.toISOString();
      assert.equal(parseDate(d.toUTCString()), iso);
      assert.equal(parseDate(iso), iso);
      const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
      const sign = off < 0 ? '-' : '+';
      const hhmm = `${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
      assert.equal(parseDate(`${local}${sign}${hhmm}`), iso);
      const rfcLocal = new Date(d.getTime() + off * 60_000).toUTCString().replace('GMT', `${sign}${hhmm.replace(':', '')}`);
      assert.equal(parseDate(rfcLocal), iso);
    }),
    { numRuns: 500 },
  );
});
