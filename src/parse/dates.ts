/**
 * Lenient date parsing for feeds: RFC 822 with odd zones (CST, GMT+8,
 * +08:00, none), ISO 8601 variants, Chinese formats. Returns an ISO string
 * or null; never throws, and never depends on the build machine's time zone:
 * a date that names no zone is read in the feed's zone, which is China's for
 * Chinese-language feeds and the site's (`site.timezone`) otherwise.
 *
 * Choices a reader may want to know:
 * - "CST" is US Central (−06:00), as RFC 822 says, except in a Chinese feed,
 *   where it is China Standard Time (+08:00).
 * - "2020年12月03日 11:03" is +08:00: every place that writes dates this
 *   way (mainland China, Taiwan, Hong Kong, Macau, Singapore) is UTC+8.
 * - The weekday is ignored (feeds get it wrong); years outside 1970–2200 are
 *   typos or sentinels and give null.
 */

/** RFC 822 zone names and a few common abbreviations. */
const ZONES: Record<string, string> = {
  UT: '+0000', UTC: '+0000', GMT: '+0000', Z: '+0000',
  EST: '-0500', EDT: '-0400', CST: '-0600', CDT: '-0500',
  MST: '-0700', MDT: '-0600', PST: '-0800', PDT: '-0700',
  JST: '+0900', KST: '+0900', HKT: '+0800', SGT: '+0800', BST: '+0100', CET: '+0100', CEST: '+0200',
  IST: '+0530', AEST: '+1000', AEDT: '+1100', MSK: '+0300',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export interface DateHints {
  /** The feed's language: for "zh", CST is China Standard Time and dates without a zone are UTC+8. */
  language?: string | null;
  /** IANA zone for dates that name none (the site's `site.timezone`); UTC when absent. */
  timezone?: string | null;
}

/** Where a wall-clock time without a zone is read: a fixed offset or an IANA zone. */
type Zone = { offset: string } | { iana: string };

export function parseDate(raw: string | null | undefined, hints: DateHints = {}): string | null {
  try {
    return parse(raw, hints);
  } catch {
    return null; // belt and braces: a feed's date must never cost the feed
  }
}

function parse(raw: string | null | undefined, hints: DateHints): string | null {
  if (typeof raw !== 'string') return null;
  const s = raw.trim().replace(/\s+/g, ' ');
  if (!s || s.length > 100) return null;
  const chinese = /^zh\b/i.test(hints.language ?? '');
  const fallback: Zone = chinese ? { iana: 'Asia/Shanghai' } : { iana: validZone(hints.timezone) ?? 'UTC' };

  // 2020年12月03日 11:03[:05], 2020年12月3日 (also with full-width colons)
  const cn = /^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:(上午|下午)?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?/.exec(s);
  if (cn) {
    const [, y, mo, d, half, h = '0', mi = '0', sec = '0'] = cn;
    return fromParts(+y!, +mo!, +d!, to24(+h, half === '下午' ? 'pm' : half === '上午' ? 'am' : undefined), +mi, +sec, 0, { offset: '+0800' });
  }

  // ISO-like: 2020-12-03[T ]11:03[:00][.123][Z|+08:00|+0800|+08|CST], also with "/" and a "UTC" suffix.
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?|(?:GMT|UTC)?\s*[+-]\d{1,2}(?::?\d{2})?|[A-Z]{1,5})?$/i.exec(s);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', zone] = iso;
    const z = zone ? zoneOffset(zone, chinese) : null;
    if (zone && !z) return null;
    return fromParts(+y!, +mo!, +d!, +h, +mi, +sec, fraction(frac), z ? { offset: z } : fallback);
  }

  // RFC 822 / 1123 and relatives: [Thu,] 3 Dec 2020 11:03[:00] [zone], also "Dec 3, 2020 11:03 AM".
  const rfc = RFC822.exec(s) ?? US_STYLE.exec(s);
  if (rfc?.groups) {
    const g = rfc.groups;
    const month = MONTHS.indexOf(g.mon!.slice(0, 3).toLowerCase()) + 1;
    if (month === 0) return null;
    let year = +g.y!;
    if (g.y!.length === 2) year += year < 50 ? 2000 : 1900;
    const zoneText = (g.zone ?? '').replace(/\([^)]*\)/g, '').trim();
    const z = zoneText ? zoneOffset(zoneText, chinese) : null;
    if (zoneText && !z) return null;
    const hour = to24(+(g.h ?? 0), g.ampm?.toLowerCase() as 'am' | 'pm' | undefined);
    return fromParts(year, month, +g.d!, hour, +(g.mi ?? 0), +(g.s ?? 0), 0, z ? { offset: z } : fallback);
  }

  // JavaScript's Date.prototype.toString(): "Thu Dec 03 2020 11:03:00 GMT+0800 (China Standard Time)".
  const js = /^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) GMT([+-]\d{4})/.exec(s);
  if (js) {
    const month = MONTHS.indexOf(js[1]!.toLowerCase()) + 1;
    if (month === 0) return null;
    return fromParts(+js[3]!, month, +js[2]!, +js[4]!, +js[5]!, +js[6]!, 0, { offset: js[7]! });
  }

  // A bare Unix timestamp (seconds or milliseconds), which some generators emit.
  if (/^\d{10}(\d{3})?$/.test(s)) return checked(s.length === 10 ? Number(s) * 1000 : Number(s));
  return null;
}

const WEEKDAY = String.raw`(?:[A-Za-z]{2,}\.?(?:,\s*|\s+))?`;
const MONTH = String.raw`(?<mon>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\.?`;
const TIME = String.raw`(?:[ T,]+(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:\.\d+)?)?(?:\s*(?<ampm>[ap]m))?)?`;
const ZONE = String.raw`(?:\s*(?<zone>\S.*))?`;
const RFC822 = new RegExp(String.raw`^${WEEKDAY}(?<d>\d{1,2})[\s-]${MONTH}[\s-](?<y>\d{4}|\d{2})${TIME}${ZONE}$`, 'i');
const US_STYLE = new RegExp(String.raw`^${WEEKDAY}${MONTH} (?<d>\d{1,2})(?:st|nd|rd|th)?,? (?<y>\d{4})${TIME}${ZONE}$`, 'i');

/** "+08:00" → "+0800"; "GMT+8" → "+0800"; names via ZONES; null when not a zone. */
function zoneOffset(zone: string, chinese: boolean): string | null {
  const z = zone.trim().toUpperCase();
  if (z === 'CST' && chinese) return '+0800';
  if (ZONES[z]) return ZONES[z];
  const m = /^(?:GMT|UTC|UT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (!m) return null;
  const [, sign, h, mins = '00'] = m;
  if (+h! > 14 || +mins > 59) return null;
  return `${sign}${h!.padStart(2, '0')}${mins}`;
}

function to24(hour: number, half: 'am' | 'pm' | undefined): number {
  if (!half || hour > 12) return hour;
  return half === 'pm' ? (hour % 12) + 12 : hour % 12;
}

function fraction(digits: string): number {
  return Math.round(Number(`0.${digits}`) * 1000);
}

function fromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, zone: Zone): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 24 || mi > 59 || s > 60) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if ('offset' in zone) {
    const sign = zone.offset.startsWith('-') ? -1 : 1;
    const offsetMin = sign * (Number(zone.offset.slice(1, 3)) * 60 + Number(zone.offset.slice(3, 5)));
    return checked(wall - offsetMin * 60_000);
  }
  // The offset depends on the instant (summer time): take it at the guess, then again at the result.
  let t = wall - offsetOf(zone.iana, wall) * 60_000;
  const second = offsetOf(zone.iana, t);
  t = wall - second * 60_000;
  return checked(t);
}

function daysIn(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC of an IANA zone at an instant. */
function offsetOf(iana: string, t: number): number {
  let f = formats.get(iana);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: iana, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(iana, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((local - Math.floor(t / 1000) * 1000) / 60_000);
}

const zoneValid = new Map<string, boolean>();

/** Whether Intl knows the zone (cached: building a DateTimeFormat is slow, and this runs per date). */
function validZone(tz: string | null | undefined): string | null {
  if (!tz) return null;
  let valid = zoneValid.get(tz);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      valid = true;
    } catch {
      valid = false;
    }
    zoneValid.set(tz, valid);
  }
  return valid ? tz : null;
}

/** Years outside 1970–2200 are typos or sentinels, not dates. */
function checked(t: number): string | null {
  if (!Number.isFinite(t)) return null;
  const year = new Date(t).getUTCFullYear();
  if (year < 1970 || year > 2200) return null;
  return new Date(t).toISOString();
}
