import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import type { User, UserPhoto } from '../../directory/model.js';
import { GRAPH_ERRORS, graphError } from '../../errors/graph-error.js';
import { GraphFailure } from '../../graph/graph-failure.js';
import { demand, graphRoute, notFound, sendJson, sendMedia, type GraphCall } from '../../graph/graph-route.js';
import { findUser, me, type Target } from '../../graph/lookup.js';
import { allowed, PERMISSIONS } from '../../graph/permissions.js';
import { offeredSizes, photoContent, sizedPhotoMetadata, storedPhotoMetadata, type PhotoMetadata } from '../../graph/profile-photos.js';

/**
 * Users' profile photos: GET /me/photo, /me/photo/$value, /me/photos, /me/photos/{size},
 * /me/photos/{size}/$value, and the same under /users/{id | userPrincipalName}.
 * https://learn.microsoft.com/graph/api/profilephoto-get
 * userinfo's `picture` points at /me/photo/$value (docs/entra-wire.md §7). A user without a photo
 * (no `photo` in the fixture) is answered 404 ImageNotFound on every one of these, the metadata
 * included (captures: docs/entra-wire.md §12; profilephoto-get's example of a 1x1 image/gif for
 * a user without a photo is not what the service answers today). Permissions: PERMISSIONS.userPhoto.
 */
export function registerPhotoRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const [prefix, endpoint] of [
    ['/me', 'me'],
    ['/users/:id', 'users'],
  ] as const) {
    app.get<{ Params: PhotoParams }>(
      `${prefix}/photo`,
      graphRoute<PhotoParams>(ctx, `${endpoint}.photo`, (call) => {
        const target = targetOf(call);
        const photo = photoOf(target);
        return sendMetadata(call, `${entityOf(call, target)}/photo/$entity`, photo, storedPhotoMetadata(photo));
      }),
    );
    app.get<{ Params: PhotoParams & { media: string } }>(
      `${prefix}/photo/:media`,
      graphRoute<PhotoParams & { media: string }>(ctx, `${endpoint}.photo.value`, (call) => {
        requireValueSegment(call.request.params.media);
        return sendPhoto(call, photoOf(targetOf(call)));
      }),
    );
    app.get<{ Params: PhotoParams }>(
      `${prefix}/photos`,
      graphRoute<PhotoParams>(ctx, `${endpoint}.photos`, (call) => {
        const target = targetOf(call);
        const photo = photoOf(target);
        const { etag } = photoContent(photo);
        const value = offeredSizes(photo).map((size) => metadataJson(photo.contentType, etag, size));
        return sendJson(call, JSON.stringify({ '@odata.context': contextUrl(call, `${entityOf(call, target)}/photos`), value }));
      }),
    );
    app.get<{ Params: PhotoParams & { size: string } }>(
      `${prefix}/photos/:size`,
      graphRoute<PhotoParams & { size: string }>(ctx, `${endpoint}.photos.size`, (call) => {
        const target = targetOf(call);
        const photo = photoOf(target);
        return sendMetadata(call, `${entityOf(call, target)}/photos/$entity`, photo, sizeOf(photo, call.request.params.size));
      }),
    );
    app.get<{ Params: PhotoParams & { size: string; media: string } }>(
      `${prefix}/photos/:size/:media`,
      graphRoute<PhotoParams & { size: string; media: string }>(ctx, `${endpoint}.photos.size.value`, (call) => {
        requireValueSegment(call.request.params.media);
        const photo = photoOf(targetOf(call));
        sizeOf(photo, call.request.params.size);
        return sendPhoto(call, photo);
      }),
    );
  }
}

/** `/users/{id}/…` has the key; `/me/…` has none. */
type PhotoParams = { id?: string };

/** The user whose photo is asked for, once the caller may read it: oneself with User.Read, others with PERMISSIONS.userPhoto. */
function targetOf(call: GraphCall<PhotoParams>): Target<User> {
  const ref = call.request.params.id;
  if (ref === undefined) {
    const target = me(call);
    demand(allowed(call.caller, PERMISSIONS.userPhoto, true));
    return target;
  }
  const target = findUser(call, ref);
  demand(allowed(call.caller, PERMISSIONS.userPhoto, target?.self ?? false));
  if (!target) throw notFound(ref);
  return target;
}

/**
 * The entity in @odata.context: `users('{key}')`, the key as the URL wrote it (an id or a UPN), the
 * signed-in user's id for /me. UNCONFIRMED for /me: profilephoto-get's example shows `Me/photo/$entity`,
 * Graph Explorer's answers `users('{id}')/photo/$entity`.
 */
const entityOf = (call: GraphCall<PhotoParams>, target: Target<User>): string => `users('${call.request.params.id ?? target.id}')`;

const imageNotFound = (): GraphFailure => new GraphFailure(GRAPH_ERRORS.imageNotFound);

function photoOf(target: Target<User>): UserPhoto {
  const photo = target.object.photo;
  if (!photo) throw imageNotFound();
  return photo;
}

/** UNCONFIRMED: a size that is not Microsoft 365's, or larger than the photo, answered as a missing image. */
function sizeOf(photo: UserPhoto, size: string): PhotoMetadata {
  const metadata = sizedPhotoMetadata(photo, size);
  if (!metadata) throw imageNotFound();
  return metadata;
}

/** The only segment after a photo is its stream, `$value` (also sent as `%24value`); anything else is a segment Graph does not know. */
function requireValueSegment(segment: string): void {
  if (segment.toLowerCase() !== '$value') throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSegment, { segment }));
}

const contextUrl = (call: GraphCall<unknown>, path: string): string => `${call.ctx.urls.graph}/v1.0/$metadata#${path}`;

/** A profilePhoto in Graph's key order (profilephoto-get's example, @odata.id left out). */
function metadataJson(contentType: string, etag: string, m: PhotoMetadata): Record<string, unknown> {
  return { '@odata.mediaContentType': contentType, '@odata.mediaEtag': etag, id: m.id, height: m.height, width: m.width };
}

/** A photo's bytes (the same for every size: the mock does not resample images). */
function sendPhoto(call: GraphCall<unknown>, photo: UserPhoto) {
  const { bytes, etag } = photoContent(photo);
  return sendMedia(call, bytes, photo.contentType, etag);
}

function sendMetadata(call: GraphCall<unknown>, context: string, photo: UserPhoto, m: PhotoMetadata) {
  const { etag } = photoContent(photo);
  return sendJson(call, JSON.stringify({ '@odata.context': contextUrl(call, context), ...metadataJson(photo.contentType, etag, m) }));
}
