/**
 * Month keys for the archive and <time datetime> values: computed from one
 * zone offset per UTC day (one formatToParts a day, not one an instant),
 * they must equal what formatting each instant in the zone gives,
 * daylight-saving days included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dateFormats } from '../../src/render/dates.ts';

// Whole-hour, half-hour and 45-minute offsets, DST north and south, a 30-minute DST shift.
const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo'];

/** <time datetime> as formatting the instant in the zone gives it. */
function referenceLocal(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(iso));
  const f = Object.fromEntries(parts.map((p) => [p.type, p.value]));
  const offset = f.timeZoneName === 'GMT' ? 'Z' : f.timeZoneName!.slice(3);
  return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}:${f.second}${offset}`;
}

function reference(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(new Date(iso));
  return `${parts.find((p) => p.type === 'year')!.value}/${parts.find((p) => p.type === 'month')!.value}`;
}

test('monthKey and local (<time datetime>) equal formatting each instant in the zone, on any day including daylight-saving changes', () => {
  for (const zone of ZONES) {
    const dates = dateFormats('en', zone);
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const iso = new Date(ms).toISOString();
        assert.equal(dates.monthKey(iso), reference(iso, zone), `${zone} ${iso}`);
        assert.equal(dates.local(iso), referenceLocal(iso, zone), `${zone} ${iso}`);
      }),
      { numRuns: 2000 },
    );
    // Around midnight at the turn of each month of 2026, where a wrong offset shows.
    for (let m = 0; m < 12; m++) {
      for (const minutes of [-14 * 60, -13 * 60, -60, -46, -45, -31, -30, -1, 0, 1, 30, 45, 60, 13 * 60, 14 * 60]) {
        const iso = new Date(Date.UTC(2026, m, 1) + minutes * 60_000).toISOString();
        assert.equal(dates.monthKey(iso), reference(iso, zone), `${zone} ${iso}`);
        assert.equal(dates.local(iso), referenceLocal(iso, zone), `${zone} ${iso}`);
      }
    }
  }
  assert.equal(dateFormats('en', 'UTC').monthKey('not a date'), '0000/00');
});
