/**
 * Dates as readers see them: in the site's time zone and language. Pages
 * show `display`, and carry `local` (ISO 8601 with the zone's offset) in
 * `<time datetime>`; the monthly archive groups by `monthKey`. Pure.
 */
export interface DateFormats {
  /** "Nov 20, 2026, 10:00 PM" in the site's language. */
  display(iso: string): string;
  /** "Nov 20, 2026": for lists, where the time adds noise. */
  day(iso: string): string;
  /** "2026-11-20T22:00:00+08:00": the same instant, written in the site's zone. */
  local(iso: string): string;
  /** "2026/11": the month the instant falls in, in the site's zone. */
  monthKey(iso: string): string;
  /** "November 2026" for a month key. */
  monthLabel(key: string): string;
}

export function dateFormats(language: string, timeZone: string): DateFormats {
  const full = new Intl.DateTimeFormat(language, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  const day = new Intl.DateTimeFormat(language, { timeZone, dateStyle: 'medium' });
  const month = new Intl.DateTimeFormat(language, { timeZone: 'UTC', year: 'numeric', month: 'long' });
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
  });
  const fields = (iso: string) => {
    const out: Record<string, string> = {};
    for (const p of parts.formatToParts(new Date(iso))) out[p.type] = p.value;
    return out;
  };
  const valid = (iso: string) => typeof iso === 'string' && iso !== '' && !Number.isNaN(Date.parse(iso));
  return {
    // Every page shows the build time and list pages repeat their articles' dates: format each instant once.
    display: memo((iso) => (valid(iso) ? full.format(new Date(iso)) : '')),
    day: memo((iso) => (valid(iso) ? day.format(new Date(iso)) : '')),
    local: memo((iso) => {
      if (!valid(iso)) return '';
      const f = fields(iso);
      // "GMT+08:00" → "+08:00"; plain "GMT" is UTC.
      const offset = f.timeZoneName === 'GMT' ? 'Z' : (f.timeZoneName ?? 'GMT').slice(3);
      return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}:${f.second}${offset}`;
    }),
    monthKey(iso) {
      if (!valid(iso)) return '0000/00';
      const f = fields(iso);
      return `${f.year}/${f.month}`;
    },
    monthLabel(key) {
      const [y, m] = key.split('/').map(Number);
      return month.format(new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, 15)));
    },
  };
}

function memo(format: (iso: string) => string): (iso: string) => string {
  const seen = new Map<string, string>();
  return (iso) => {
    let out = seen.get(iso);
    if (out === undefined) seen.set(iso, (out = format(iso)));
    return out;
  };
}
