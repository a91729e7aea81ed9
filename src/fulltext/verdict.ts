/**
 * Is what Readability found an article? Pure, on plain text. Readability
 * returns its best candidate even when a page has no article, so a page
 * that only asks for consent or a login comes back as a short "article".
 *
 * - consent wall: the text is short (under CONSENT_MAX_WIDTH columns) and
 *   uses at least three distinct terms of cookie-consent dialogs ("cookies",
 *   "partners", "accept all", "manage options", 同意, クッキー, …);
 * - too short: narrower than MIN_ARTICLE_WIDTH columns (a CJK character
 *   counts as two), or no wider than the feed's own text (the page adds
 *   nothing); called a login wall when the page had a password field or the
 *   text asks the reader to subscribe or log in.
 */
import type { FailureCode } from '../model/errors.ts';
import { displayWidth } from '../format/display-width.ts';

export const MIN_ARTICLE_WIDTH = 400;
const CONSENT_MAX_WIDTH = 1500;

const CONSENT_TERMS = [
  'cookie', 'consent', 'partners', 'accept all', 'reject all', 'manage options', 'manage settings', 'privacy settings',
  'personalised', 'personalized', 'legitimate interest', 'your choices', 'your device',
  '同意并继续', '全部接受', '隐私政策', 'クッキー', 'プライバシーポリシー', '同意する',
];
const LOGIN_TERMS = [
  'subscribe', 'subscriber', 'log in', 'login', 'sign in', 'create an account', 'paywall',
  '订阅', '登录', '登錄', '会员专享', 'ログイン', '会員限定', '有料会員', '購読',
];

export interface Verdict {
  code: Extract<FailureCode, 'too-short' | 'login-wall' | 'consent-wall'>;
  message: string;
}

/**
 * Null when `text` is an article; else why not. `feedWidth`: columns of the
 * feed's own text for the item; `passwordField`: the page had one.
 */
export function judgeArticle(text: string, feedWidth: number, passwordField: boolean): Verdict | null {
  const width = displayWidth(text);
  const lower = text.toLowerCase();
  const consent = CONSENT_TERMS.filter((t) => lower.includes(t)).length;
  if (width < CONSENT_MAX_WIDTH && consent >= 3) {
    return { code: 'consent-wall', message: 'the page asks for consent to cookies instead of showing the article' };
  }
  if (width >= MIN_ARTICLE_WIDTH && width > feedWidth) return null;
  if (passwordField || LOGIN_TERMS.some((t) => lower.includes(t))) {
    return { code: 'login-wall', message: `the page asks the reader to log in or subscribe (its text is ${width} columns)` };
  }
  return {
    code: 'too-short',
    message:
      width < MIN_ARTICLE_WIDTH
        ? `the page's article is too short to be one (${width} columns of text, at least ${MIN_ARTICLE_WIDTH} needed)`
        : `the page's article (${width} columns) is no longer than the feed's own text (${feedWidth})`,
  };
}
