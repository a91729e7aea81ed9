/** Origins article iframes may load from: the same video hosts the sanitizer allows. */
export const IFRAME_HOSTS_FOR_CSP = [
  'https://www.youtube.com',
  'https://youtube.com',
  'https://www.youtube-nocookie.com',
  'https://player.vimeo.com',
  'https://player.bilibili.com',
];
