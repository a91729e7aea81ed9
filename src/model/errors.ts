/**
 * Errors as values. A feed or an image that fails yields a `Failure` that the
 * report shows; only configuration errors abort a build.
 *
 * `code` is a stable machine-readable name (tests and users match on it),
 * `message` says what happened, `hint` says what the user can do about it.
 */
export type FailureCode =
  | 'config'
  | 'network'
  | 'timeout'
  | 'http-status'
  | 'too-large'
  | 'too-many-redirects'
  | 'redirect-loop'
  | 'blocked-address'
  | 'bad-url'
  | 'not-a-feed'
  | 'parse'
  | 'image-decode'
  | 'image-too-large'
  | 'image-unsupported'
  | 'state'
  /** Not done because the build was stopped (SIGINT, SIGTERM): not the feed's or the image's fault, never recorded against it. */
  | 'stopped'
  /** Full text: the article's page is not an HTML page. */
  | 'not-html'
  /** Full text: the page holds no article longer than a summary. */
  | 'too-short'
  /** Full text: the page asks the reader to log in or subscribe. */
  | 'login-wall'
  /** Full text: the page asks for consent to cookies instead of showing the article. */
  | 'consent-wall'
  /** A bug in feed-digest tripped by one feed or image: that one fails, the build goes on. */
  | 'internal';

export interface Failure {
  code: FailureCode;
  /** What happened, naming the URL or file. */
  message: string;
  /** What the user can do about it, when there is something. */
  hint?: string;
  /** The underlying error's message, for logs. */
  cause?: string;
  /** The HTTP status when there was one. */
  status?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export function failure(code: FailureCode, message: string, extra: Partial<Failure> = {}): Failure {
  return { code, message, ...extra };
}

export function causeOf(err: unknown): string {
  if (err instanceof Error) {
    const inner = (err as Error & { cause?: unknown }).cause;
    return inner instanceof Error ? `${err.message} (${inner.message})` : err.message;
  }
  return String(err);
}

/** Thrown (not returned) for a bad config or bad arguments: the CLI exits 2. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(
      `${file}: invalid configuration\n` +
        problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * Thrown when merge or render would publish less than their input (a state
 * and a config that do not match): the CLI exits 2.
 */
export class MismatchError extends Error {
  override name = 'MismatchError';
}

/** Thrown for command-line mistakes: the CLI exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Thrown when a signal stopped the build (SIGINT, SIGTERM): what was
 * archived is saved, the lock released. The CLI prints the message and exits
 * 128 + the signal's number.
 */
export class StoppedError extends Error {
  override name = 'StoppedError';
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    message: string,
  ) {
    super(message);
  }
}
