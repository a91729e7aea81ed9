/**
 * The `_digest` JSON Feed extension, as a JSON Schema (draft-07, the draft
 * the JSON Feed schema uses). Written to api/digest.schema.json and linked
 * from every document's top-level `_digest.schema`. Bump DIGEST_SCHEMA_VERSION
 * on any change that could break a reader (removing or retyping a field);
 * adding an optional field keeps the version.
 */
export const DIGEST_SCHEMA_VERSION = 2;

const nullableString = { type: ['string', 'null'] };

export function digestSchema(schemaUrl: string): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: schemaUrl,
    title: `feed-digest _digest extension, version ${DIGEST_SCHEMA_VERSION}`,
    description:
      'The _digest object feed-digest adds to its JSON Feed 1.1 documents (api/all.json, api/feeds/<id>.json and their next_url pages): "feed" at the top level, "item" on every item.',
    definitions: {
      feed: {
        type: 'object',
        required: ['schema_version', 'schema', 'page'],
        additionalProperties: false,
        properties: {
          schema_version: { const: DIGEST_SCHEMA_VERSION, description: 'Version of this schema (2: documents numbered from the oldest).' },
          schema: { type: 'string', format: 'uri', description: 'URL of this schema file.' },
          page: {
            type: 'integer',
            minimum: 1,
            description:
              'This document\'s number, 1 the oldest. The newest document (api/all.json, api/feeds/<id>.json) has the highest; document N (api/all/N.json) keeps its items once full. next_url leads to the next older document.',
          },
        },
      },
      item: {
        type: 'object',
        required: ['feed_id', 'feed_ids', 'link_md5', 'link', 'first_seen', 'cover', 'images', 'source_hash', 'source_images', 'source_cover'],
        additionalProperties: false,
        properties: {
          feed_id: { type: 'string', description: 'The feed this document is about, or for api/all.json the feed the article was found in first.' },
          feed_ids: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Every feed that lists the article.' },
          link_md5: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'Lowercase hex MD5 of `link`; equal to the item id.' },
          link: { type: 'string', description: 'The article link as the feed gave it (absolute).' },
          first_seen: { type: 'string', format: 'date-time', description: 'When a build first archived the article.' },
          cover: {
            description: 'The optimized cover image (WebP), or null.',
            oneOf: [
              { type: 'null' },
              {
                type: 'object',
                required: ['url', 'width', 'height', 'source_url', 'source_bytes', 'bytes'],
                additionalProperties: false,
                properties: {
                  url: { type: 'string', format: 'uri' },
                  width: { type: 'integer', minimum: 1 },
                  height: { type: 'integer', minimum: 1 },
                  source_url: { type: 'string' },
                  source_bytes: { type: 'integer', minimum: 0 },
                  bytes: { type: 'integer', minimum: 0 },
                },
              },
            ],
          },
          images: {
            type: 'object',
            additionalProperties: { type: 'string', format: 'uri' },
            description: 'Source image URL → its optimized WebP URL, for every content image that was converted.',
          },
          source_hash: { type: 'string', description: 'Hash of the raw title and content: an unchanged item is not reprocessed.' },
          source_images: { type: 'array', items: { type: 'string' }, description: 'Source URLs of the content images, in order (restores the archive).' },
          source_cover: { ...nullableString, description: 'Source URL of the cover image, if any.' },
          full_text: {
            type: 'object',
            description:
              'Feeds with fullText: the article\'s page. While fetched_at is set, content_html is the article extracted from the page and summary is the feed\'s own text; otherwise content_html is the feed\'s text (the page fell back, see error).',
            required: ['source_url', 'fetched_at', 'error', 'failures', 'retry_after'],
            additionalProperties: false,
            properties: {
              source_url: { type: 'string', description: 'The page (after redirects), else the article link.' },
              fetched_at: { type: ['string', 'null'], format: 'date-time', description: 'When the page now in content_html was fetched; null while content_html is the feed\'s text.' },
              error: {
                description: 'Why the last try fell back, or null.',
                oneOf: [
                  { type: 'null' },
                  {
                    type: 'object',
                    required: ['code', 'message'],
                    additionalProperties: false,
                    properties: {
                      code: { type: 'string', description: 'e.g. "http-status", "timeout", "not-html", "too-large", "too-short", "login-wall", "consent-wall".' },
                      message: { type: 'string' },
                    },
                  },
                ],
              },
              failures: { type: 'integer', minimum: 0, description: 'Failed tries in a row.' },
              retry_after: { type: ['string', 'null'], format: 'date-time', description: 'When a failed page is tried again; null when it is not.' },
            },
          },
          assets: {
            type: 'object',
            description: 'Source image URL → every WebP variant it became (content images and the cover): what a restore needs to put it back in the image cache.',
            additionalProperties: {
              type: 'object',
              required: ['source_bytes', 'variants'],
              additionalProperties: false,
              properties: {
                source_bytes: { type: 'integer', minimum: 0 },
                variants: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    type: 'object',
                    required: ['url', 'width', 'height', 'bytes'],
                    additionalProperties: false,
                    properties: {
                      url: { type: 'string', format: 'uri' },
                      width: { type: 'integer', minimum: 1 },
                      height: { type: 'integer', minimum: 1 },
                      bytes: { type: 'integer', minimum: 0 },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
