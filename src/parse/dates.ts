/**
 * Lenient date parsing for feeds: RFC 822 with odd zones, ISO 8601 variants,
 * Chinese formats. Returns an ISO string or null; never throws.
 */

/** RFC 822 zone names, plus what Chinese feeds mean by CST. */
const ZONES: Record<string, string> = {
  UT: '+0000', UTC: '+0000', GMT: '+0000', Z: '+0000',
  EST: '-0500', EDT: '-0400', CST: '-0600', CDT: '-0500',
  MST: '-0700', MDT: '-0600', PST: '-0800', PDT: '-0700',
  JST: '+0900', KST: '+0900', HKT: '+0800', SGT: '+0800', BST: '+0100', CET: '+0100', CEST: '+0200',
};

export interface DateHints {
  /** The feed's language: for "zh", CST is China Standard Time and dates without a zone are UTC+8. */
  language?: string | null;
}

export function parseDate(raw: string | null | undefined, hints: DateHints = {}): string | null {
  if (!raw) return null;
  let s = raw.trim().replace(/\s+/g, ' ');
  if (!s) return null;
  const chinese = /^zh\b/i.test(hints.language ?? '');
  const defaultZone = chinese ? '+0800' : '+0000';

  // 2020年12月03日 11:03[:05] (also 2020年12月3日)
  const cn = /^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?/.exec(s);
  if (cn) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0'] = cn;
    return fromParts(+y!, +mo!, +d!, +h, +mi, +sec, '+0800');
  }

  // ISO-like: 2020-12-03[T ]11:03[:00][.123][Z|+08:00|+0800]
  const iso = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Z]{1,4})?$/i.exec(s);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', zone] = iso;
    return fromParts(+y!, +mo!, +d!, +h, +mi, +sec, zoneOffset(zone, chinese) ?? defaultZone);
  }

  // RFC 822 / 1123 and friends: normalize the zone, then let Date.parse do the rest.
  s = s.replace(/\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i, (_m, sign: string, h: string, m = '00') =>
    `${sign}${h.padStart(2, '0')}${m}`,
  );
  s = s.replace(/([+-]\d{2}):(\d{2})$/, '$1$2');
  s = s.replace(/\b([A-Z]{1,4})$/i, (zone) => zoneOffset(zone, chinese) ?? zone);
  if (!/[+-]\d{4}$/.test(s) && /\d{1,2}:\d{2}(:\d{2})?$/.test(s)) s = `${s} ${defaultZone}`;
  const t = Date.parse(s);
  if (!Number.isNaN(t)) return checked(t);
  return null;
}

function zoneOffset(zone: string | undefined, chinese: boolean): string | null {
  if (!zone) return null;
  const z = zone.toUpperCase();
  if (z === 'Z') return '+0000';
  if (/^[+-]\d{2}:?\d{2}$/.test(z)) return z.replace(':', '');
  if (z === 'CST' && chinese) return '+0800';
  return ZONES[z] ?? null;
}

function fromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, zone: string): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null;
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  return checked(Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60_000);
}

/** Years outside 1970–2200 are typos or sentinels, not dates. */
function checked(t: number): string | null {
  if (!Number.isFinite(t)) return null;
  const year = new Date(t).getUTCFullYear();
  if (year < 1970 || year > 2200) return null;
  return new Date(t).toISOString();
}
