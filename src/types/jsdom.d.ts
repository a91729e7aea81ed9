// The parts of jsdom that src/fulltext uses. Not @types/jsdom: it adds the
// DOM library to the whole program, where `document`, `window` and the
// DOM's own fetch types would then typecheck in code that runs on Node.
declare module 'jsdom' {
  export class VirtualConsole {}
  export class JSDOM {
    constructor(html?: string, options?: { virtualConsole?: VirtualConsole });
    readonly window: JsdomWindow;
  }
  export interface JsdomWindow {
    DOMParser: new () => { parseFromString(html: string, type: 'text/html'): JsdomDocument };
    close(): void;
  }
  /** A parsed page: what Readability reads (it takes the document as a whole) and what we query before it. */
  export interface JsdomDocument {
    querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  }
}
