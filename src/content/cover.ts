/**
 * An article's cover image: the feed's own choice (media thumbnail,
 * enclosure image, JSON Feed `image`) when it could be optimized, else the
 * first content image wide enough to be worth showing big (icons, emoji
 * and badges are narrower than that).
 */
import type { ImageAsset } from '../model/image.ts';

export const COVER_MIN_WIDTH = 200;

export function chooseCover(
  thumbnail: string | null,
  contentImages: string[],
  lookup: (src: string) => ImageAsset | null,
): { url: string; asset: ImageAsset } | null {
  if (thumbnail) {
    const asset = lookup(thumbnail);
    if (asset) return { url: thumbnail, asset };
  }
  for (const url of contentImages) {
    const asset = lookup(url);
    if (asset && asset.width >= COVER_MIN_WIDTH) return { url, asset };
  }
  return null;
}
