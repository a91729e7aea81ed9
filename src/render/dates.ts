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
  /**
   * For list cards: "Nov 20" / "11月20日" in the current year (of `now`, in the
   * site's zone), "Nov 20, 2025" / "2025年11月20日" before or after it.
   */
  compact(iso: string): string;
  /** The current year in the site's zone: compact dates depend on it. */
  year: string;
  /** The zone as readers of the language name it: "China Standard Time", "中国标准时间". */
  zoneName: string;
  /** "2026-11-20T22:00:00+08:00": the same instant, written in the site's zone. */
  local(iso: string): string;
  /** "2026/11": the month the instant falls in, in the site's zone. */
  monthKey(iso: string): string;
  /** "November 2026" for a month key. */
  monthLabel(key: string): string;
}

const DAY = 86_400_000;
const YEAR_1000 = Date.UTC(1000, 0, 1);

/** `now`: the build's clock, which decides what "the current year" of compact dates is. */
export function dateFormats(language: string, timeZone: string, now: Date = new Date()): DateFormats {
  const full = new Intl.DateTimeFormat(language, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  const day = new Intl.DateTimeFormat(language, { timeZone, dateStyle: 'medium' });
  // Not dateStyle: "medium" is "2025/12/02" in Japanese and "2025. 12. 2." in Korean, where 年月日 / 년 월 일 read better in a list.
  const dayOfYear = new Intl.DateTimeFormat(language, { timeZone, month: 'short', day: 'numeric' });
  const dayWithYear = new Intl.DateTimeFormat(language, { timeZone, year: 'numeric', month: 'short', day: 'numeric' });
  const yearOf = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' });
  const thisYear = yearOf.format(now);
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
  // A zone's offset changes at most once a UTC day (daylight saving), so month keys and
  // <time datetime> values need one formatToParts per day rather than one per instant
  // (10,000 articles: 150 ms for month keys, ~10% of Eleventy's time for datetimes); a
  // day with a change falls back to formatting each instant.
  /** The offset in ms and how `local` writes it ("+08:00", "Z"). */
  type Offset = { ms: number; suffix: string };
  const offsets = new Map<number, Offset | null>();
  const offsetAt = (ms: number): Offset => {
    const f = fields(new Date(ms).toISOString());
    return {
      ms: Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), Number(f.hour), Number(f.minute), Number(f.second)) - ms,
      suffix: zoneSuffix(f),
    };
  };
  const offsetOn = (day: number): Offset | null => {
    let offset = offsets.get(day);
    if (offset === undefined) {
      const start = offsetAt(day * DAY);
      offsets.set(day, (offset = start.ms === offsetAt((day + 1) * DAY).ms ? start : null));
    }
    return offset;
  };
  const valid = (iso: string) => typeof iso === 'string' && iso !== '' && !Number.isNaN(Date.parse(iso));
  return {
    // Every page shows the build time and list pages repeat their articles' dates: format each instant once.
    display: memo((iso) => (valid(iso) ? full.format(new Date(iso)) : '')),
    day: memo((iso) => (valid(iso) ? day.format(new Date(iso)) : '')),
    compact: memo((iso) => {
      if (!valid(iso)) return '';
      const d = new Date(iso);
      return (yearOf.format(d) === thisYear ? dayOfYear : dayWithYear).format(d);
    }),
    year: thisYear,
    zoneName: zoneName(language, timeZone, now),
    local: memo((iso) => {
      if (!valid(iso)) return '';
      const t = Date.parse(iso);
      const offset = t >= YEAR_1000 ? offsetOn(Math.floor(t / DAY)) : null;
      // The wall time is the instant moved by the day's offset.
      if (offset !== null) {
        const d = new Date(t + offset.ms);
        return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${offset.suffix}`;
      }
      const f = fields(iso);
      return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}:${f.second}${zoneSuffix(f)}`;
    }),
    monthKey(iso) {
      if (!valid(iso)) return '0000/00';
      const t = Date.parse(iso);
      // Date.UTC reads years 0–99 as 1900–1999: such dates take the slow path.
      const offset = t >= YEAR_1000 ? offsetOn(Math.floor(t / DAY)) : null;
      if (offset === null) {
        const f = fields(iso);
        return `${f.year}/${f.month}`;
      }
      const local = new Date(t + offset.ms);
      return `${local.getUTCFullYear()}/${pad(local.getUTCMonth() + 1)}`;
    },
    monthLabel(key) {
      const [y, m] = key.split('/').map(Number);
      return month.format(new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, 15)));
    },
  };
}

/**
 * The generic name ("Central European Time", not its summer or winter name);
 * a zone with none (UTC: "GMT+00:00") by its specific one ("Coordinated Universal Time").
 */
function zoneName(language: string, timeZone: string, now: Date): string {
  const name = (style: 'longGeneric' | 'long') =>
    new Intl.DateTimeFormat(language, { timeZone, timeZoneName: style }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  const generic = name('longGeneric');
  return /^GMT[+-]/.test(generic) ? name('long') : generic;
}

/** "GMT+08:00" → "+08:00"; plain "GMT" is UTC. */
function zoneSuffix(f: Record<string, string>): string {
  return f.timeZoneName === 'GMT' ? 'Z' : (f.timeZoneName ?? 'GMT').slice(3);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function memo(format: (iso: string) => string): (iso: string) => string {
  const seen = new Map<string, string>();
  return (iso) => {
    let out = seen.get(iso);
    if (out === undefined) seen.set(iso, (out = format(iso)));
    return out;
  };
}
