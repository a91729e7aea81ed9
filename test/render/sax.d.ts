// The part of sax (installed with xml2js, under rss-parser) that test/render/xml.ts uses; it ships no types.
declare module 'sax' {
  interface QualifiedAttribute { name: string; value: string; prefix: string; local: string; uri: string }
  interface QualifiedTag { name: string; prefix: string; local: string; uri: string; attributes: Record<string, QualifiedAttribute> }
  interface SAXParser {
    onopentag: (tag: QualifiedTag) => void;
    onclosetag: (name: string) => void;
    ontext: (text: string) => void;
    oncdata: (text: string) => void;
    onerror: (err: Error) => void;
    write(xml: string): SAXParser;
    close(): SAXParser;
  }
  const sax: { parser(strict: boolean, options: { xmlns: boolean; strictEntities?: boolean }): SAXParser };
  export default sax;
}
