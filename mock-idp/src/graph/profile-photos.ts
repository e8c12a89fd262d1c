import { createHash } from 'node:crypto';
import type { UserPhoto } from '../directory/model.js';

/**
 * A user's profile photo as Graph serves it (https://learn.microsoft.com/graph/api/profilephoto-get):
 * the bytes the fixture gives (fixtures/schema.json `userPhoto`), their ETag, and the sizes it is
 * offered in. Microsoft 365's sizes are 48x48 … 648x648; a size larger than the uploaded photo is
 * not offered ("if the user uploads a photo that is 504x504 pixels, all but the 648x648 size of
 * photo will be available").
 */

/** The HD photo sizes of Microsoft 365, smallest first (profilephoto-get, "size" path parameter). */
export const PHOTO_SIZES = [48, 64, 96, 120, 240, 360, 432, 504, 648] as const;

/** A profilePhoto's properties (https://learn.microsoft.com/graph/api/resources/profilephoto). */
export interface PhotoMetadata {
  id: string;
  height: number;
  width: number;
}

const decoded = new WeakMap<UserPhoto, { bytes: Buffer; etag: string }>();

/** The photo's bytes and its ETag, decoded once per fixture object (fixtures are frozen once loaded). */
export function photoContent(photo: UserPhoto): { bytes: Buffer; etag: string } {
  let content = decoded.get(photo);
  if (!content) {
    const bytes = Buffer.from(photo.base64, 'base64');
    // Graph's media ETags are eight hex digits in quotes ("BA09D118", profilephoto-get's example).
    const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 8).toUpperCase()}"`;
    content = { bytes, etag };
    decoded.set(photo, content);
  }
  return content;
}

/**
 * GET …/photo: the photo as stored. Photos held by Entra ID (not an Exchange mailbox, which the
 * mock's users do not have) have the id `default` and their own size (Microsoft's Exchange Online
 * docs on user photos: "Id: The value is Default"); a mailbox photo would name its size (240x240).
 */
export function storedPhotoMetadata(photo: UserPhoto): PhotoMetadata {
  return { id: 'default', height: photo.height, width: photo.width };
}

/** The sizes the photo is offered in: those no larger than its smaller side. */
export function offeredSizes(photo: UserPhoto): PhotoMetadata[] {
  const side = Math.min(photo.width, photo.height);
  return PHOTO_SIZES.filter((n) => n <= side).map((n) => ({ id: `${n}x${n}`, height: n, width: n }));
}

/**
 * A `{size}` segment (`48x48`, `48X48`: Graph's examples use both) → that size's metadata, or
 * undefined when the size is not one of Microsoft 365's or is larger than the photo.
 * UNCONFIRMED: the bytes served for a size are the stored photo's (the mock does not resample
 * images); the metadata says the size asked for, as Graph's would.
 */
export function sizedPhotoMetadata(photo: UserPhoto, size: string): PhotoMetadata | undefined {
  const match = /^(\d{2,3})x(\d{2,3})$/i.exec(size);
  if (!match || match[1] !== match[2]) return undefined;
  return offeredSizes(photo).find((s) => s.width === Number(match[1]));
}
