import type { GraphErrorSpec } from '../errors/graph-error.js';

/**
 * A Graph refusal thrown from anywhere below a Graph route (or by its preHandlers); the Graph
 * surface's error handler (graph-hooks.ts) writes it through errors/graph-error.ts, with any
 * extra headers (Retry-After, Location).
 */
export class GraphFailure extends Error {
  constructor(
    readonly spec: GraphErrorSpec,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${spec.code}: ${spec.message}`);
    this.name = 'GraphFailure';
  }
}
