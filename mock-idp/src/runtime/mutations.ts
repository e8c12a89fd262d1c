/**
 * "Broken on purpose": the mutations a test queues for one tenant through the test-control API
 * (surfaces/control/mutations.ts) — "the next N responses of this kind, for this client, are
 * broken like this". What each kind does is tokens/mutations.ts (tokens), and the discovery, JWKS
 * and userinfo routes (documents). This file only holds the queue and the key state some kinds
 * leave behind, so that nothing is ever mutated unless a test asked: an empty queue is one
 * `size === 0` check on the token endpoint.
 *
 * A mutation never outlives what the test set: a counted one disappears once spent, DELETE
 * removes it, and a tenant reset clears the queue and the key state.
 */

import type { SigningKey } from '../keys/signing-keys.js';

export const MUTATION_TARGETS = ['id_token', 'access_token', 'refresh_id_token', 'userinfo', 'discovery', 'jwks'] as const;
export type MutationTarget = (typeof MUTATION_TARGETS)[number];

/** What a test asks for (the body of POST /_mock/tenants/{id}/mutations). Which params a kind takes: tokens/mutations.ts. */
export interface MutationSpec {
  target: MutationTarget;
  /** The mutation, e.g. `iss-near-miss` (the list per target: GET /_mock/mutation-kinds, README "Broken on purpose"). */
  kind: string;
  /** The next `count` matching responses (default 1, at most 1000). Not for the lasting kinds (`app-signing-key`). */
  count?: number;
  /** Only responses for this client (application id): the token's client, or the app whose key signs (`app-signing-key`). */
  clientId?: string;
  /** A replacement value (wild `iss`/`aud`, the second audience, another `sub`). */
  value?: string;
  /** Another tenant's GUID (`iss-other-tenant`, `tid-other-tenant`, `jwks-uri-other-tenant`). */
  tenantId?: string;
  /** Seconds: `nbf` ahead, `exp` behind, a key unpublished for, a connection held for. */
  seconds?: number;
  /** The JWKS's 5xx status. */
  status?: number;
  /** How many extra keys the JWKS lists (`several-keys`). */
  keys?: number;
}

/** A queued mutation as the control API lists it. */
export interface Mutation extends MutationSpec {
  id: string;
  /** Responses it changed so far. */
  applied: number;
  /** Responses left before it expires; absent for the lasting kinds. */
  remaining?: number;
}

/** What the request log shows on a response a mutation changed. */
export interface AppliedMutation {
  id: string;
  target: MutationTarget;
  kind: string;
}

/** Per tenant: at most this many queued, each for at most MAX_COUNT responses (README "Broken on purpose"). */
export const MAX_MUTATIONS = 100;
export const MAX_COUNT = 1000;
/** Attributions waiting for their request's log entry (tokens minted by /authorize). */
const MAX_UNCLAIMED = 1000;

interface Queued {
  view: Mutation;
  /** Keys the route made when the mutation was queued (`several-keys` decoys, the `app-signing-key`). */
  keys: SigningKey[];
}

/** A request's notes as the log sees them (runtime/request-log.ts LoggedNotes): the object, and its client. */
export interface NotedRequest {
  clientId?: string | undefined;
}

/** Where a mutated response is attributed in the request log. */
export interface MutationAttribution {
  appliedTo(notes: NotedRequest): readonly AppliedMutation[] | undefined;
}

/** One tenant's mutations, and the key state the key kinds leave behind. */
export class TenantMutations implements MutationAttribution {
  private queue: Queued[] = [];
  private next = 1;
  /** A rotated key the JWKS does not list before this time (tenant clock, ms): `rotate-publish-after`. */
  private readonly held = new Map<string, number>();
  /** Applied mutations per request (its notes object), claimed when the request is logged. */
  private byRequest = new WeakMap<object, AppliedMutation[]>();
  /** Applied without a request at hand (tokens minted by /authorize): claimed by the next logged request of that client. */
  private byClient: Array<{ clientId: string; applied: AppliedMutation }> = [];
  private unclaimed = 0;

  /** Queued mutations plus held keys: 0 means every response is the real one. */
  get size(): number {
    return this.queue.length + this.held.size;
  }

  /** Queues a mutation (validate it with tokens/mutations.ts first); `keys` are the keys it brings. */
  add(spec: MutationSpec, keys: SigningKey[] = []): Mutation {
    if (this.queue.length >= MAX_MUTATIONS) throw new RangeError(`A tenant holds at most ${MAX_MUTATIONS} mutations; DELETE some first.`);
    const lasting = spec.kind === 'app-signing-key';
    const view: Mutation = { id: `mutation-${this.next++}`, ...spec, applied: 0, ...(lasting ? {} : { remaining: spec.count ?? 1 }) };
    this.queue.push({ view, keys });
    return { ...view };
  }

  list(): Mutation[] {
    return this.queue.map((q) => ({ ...q.view }));
  }

  remove(id: string): boolean {
    const before = this.queue.length;
    this.queue = this.queue.filter((q) => q.view.id !== id);
    return this.queue.length !== before;
  }

  /** Everything: queue, held keys, pending attributions. */
  clear(): void {
    this.queue = [];
    this.held.clear();
    this.byRequest = new WeakMap();
    this.byClient = [];
    this.unclaimed = 0;
  }

  /**
   * The first queued mutation for `target` that `accepts` (and whose clientId, if any, is
   * `clientId`), counted as applied once; it expires when spent. Undefined when none.
   */
  take(target: MutationTarget, clientId: string | undefined, accepts: (m: Mutation) => boolean): { mutation: Mutation; keys: SigningKey[] } | undefined {
    const q = this.find(target, clientId, accepts);
    if (!q) return undefined;
    const v = q.view;
    v.applied += 1;
    if (v.remaining !== undefined) {
      v.remaining -= 1;
      if (v.remaining <= 0) this.queue = this.queue.filter((x) => x !== q);
    }
    return { mutation: { ...v }, keys: q.keys };
  }

  /** A lasting mutation (never spent), e.g. the `app-signing-key` of an app. */
  lasting(target: MutationTarget, kind: string, clientId: string): { mutation: Mutation; keys: SigningKey[] } | undefined {
    const q = this.find(target, clientId, (m) => m.kind === kind && m.clientId !== undefined);
    return q ? { mutation: { ...q.view }, keys: q.keys } : undefined;
  }

  /** Every lasting `kind` mutation's keys (all apps' own keys). */
  lastingKeys(kind: string): SigningKey[] {
    return this.queue.filter((q) => q.view.kind === kind).flatMap((q) => q.keys);
  }

  /** Keeps `kid` out of the JWKS until `untilMs` (tenant clock). */
  hold(kid: string, untilMs: number): void {
    this.held.set(kid, untilMs);
  }

  /** Whether `kid` is held out of the JWKS at `nowMs`; spent holds are forgotten here. */
  isHeld(kid: string, nowMs: number): boolean {
    const until = this.held.get(kid);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.held.delete(kid);
    return false;
  }

  get holdsKeys(): boolean {
    return this.held.size > 0;
  }

  /**
   * Notes that `m` changed the response to the request with these `notes` (undefined: a token
   * minted where the request is not at hand — /authorize — attributed to the next logged
   * request of `clientId`).
   */
  noteApplied(notes: object | undefined, clientId: string | undefined, m: Mutation): void {
    const applied: AppliedMutation = { id: m.id, target: m.target, kind: m.kind };
    this.unclaimed += 1;
    if (notes) {
      const list = this.byRequest.get(notes);
      if (list) list.push(applied);
      else this.byRequest.set(notes, [applied]);
    } else {
      this.byClient.push({ clientId: (clientId ?? '').toLowerCase(), applied });
      // Bounded like the log itself: an attribution nobody claims is dropped, never hoarded.
      if (this.byClient.length > MAX_UNCLAIMED) this.byClient.shift();
    }
  }

  appliedTo(notes: NotedRequest): readonly AppliedMutation[] | undefined {
    if (this.unclaimed === 0) return undefined;
    const own = this.byRequest.get(notes);
    if (own) this.byRequest.delete(notes);
    const client = notes.clientId?.toLowerCase();
    const other = client === undefined ? [] : this.byClient.filter((p) => p.clientId === client);
    if (other.length > 0) this.byClient = this.byClient.filter((p) => p.clientId !== client);
    const all = [...(own ?? []), ...other.map((p) => p.applied)];
    this.unclaimed = Math.max(0, this.unclaimed - all.length);
    return all.length > 0 ? all : undefined;
  }

  private find(target: MutationTarget, clientId: string | undefined, accepts: (m: Mutation) => boolean): Queued | undefined {
    const client = clientId?.toLowerCase();
    return this.queue.find((q) => q.view.target === target && (q.view.clientId === undefined || q.view.clientId.toLowerCase() === client) && accepts(q.view));
  }
}
