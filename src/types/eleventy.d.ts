// Eleventy 3 ships JSDoc types only; this declares the programmatic API we use.
declare module '@11ty/eleventy' {
  export class Eleventy {
    constructor(
      input: string,
      output: string,
      options?: { quietMode?: boolean; configPath?: string | false; pathPrefix?: string; config?: (cfg: never) => void | Promise<void> },
    );
    write(): Promise<unknown>;
    /** ConsoleLogger; `overrideLogger(false)` silences it (errors still throw). */
    readonly logger: { overrideLogger(logger: false | Console): void };
  }
}
