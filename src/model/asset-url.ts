/**
 * Article HTML is rewritten once, after images, with this token where the
 * asset base belongs; `render` replaces it with the path prefix in pages and
 * with the absolute site URL in JSON. A NUL cannot survive sanitizing, so
 * the token cannot come from a feed.
 */
export const ASSET_BASE_TOKEN = '\u0000';
