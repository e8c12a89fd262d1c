import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { GRAPH_ERRORS, graphError, type GraphErrorSpec } from '../../errors/graph-error.js';
import { checkSelect, itemWriter } from '../../graph/collection.js';
import { directoryIndex } from '../../graph/directory-index.js';
import { DIRECTORY_OBJECT_SETS } from '../../graph/entity-sets.js';
import { GraphFailure } from '../../graph/graph-failure.js';
import { graphRoute, sendJson } from '../../graph/graph-route.js';
import { PERMISSIONS } from '../../graph/permissions.js';
import { parseQueryOptions } from '../../graph/query-options.js';
import { contextUrl } from '../../graph/resources.js';
import { isGuid } from '../../support/ids.js';

/**
 * POST /v1.0/directoryObjects/getByIds `{"ids":[…],"types":[…]}`: the directory objects with
 * these ids (at most 1,000), of these types (`user`, `group`, `servicePrincipal`, `application`;
 * all when absent), each with its `@odata.type`; ids that name nothing are left out.
 * https://learn.microsoft.com/graph/api/directoryobject-getbyids
 * Permissions: Directory.Read.All (delegated or application).
 */

export const MAX_GET_BY_IDS = 1000;

/** UNCONFIRMED wording; the limit of 1,000 ids is documented (directoryobject-getbyids). */
export const TOO_MANY_IDS: GraphErrorSpec = {
  status: 400,
  code: 'Request_BadRequest',
  message: `The number of ids specified exceeds the maximum of ${MAX_GET_BY_IDS}.`,
};

const RESOURCE = 'DirectoryObject';

export function registerGetByIdsRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.post(
    '/directoryObjects/getByIds',
    graphRoute(
      ctx,
      'directoryObjects.getByIds',
      (call) => {
        const q = parseQueryOptions(call.request);
        const body = call.request.body as { json?: unknown; invalidJson?: true; unsupportedBody?: true } | undefined | null;
        if (body === undefined || body === null) throw new GraphFailure(GRAPH_ERRORS.emptyPayload);
        if (body.invalidJson || body.unsupportedBody) throw new GraphFailure(GRAPH_ERRORS.invalidJsonBody);
        const json = body.json;
        if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GraphFailure(GRAPH_ERRORS.invalidJsonBody);
        for (const k of Object.keys(json)) {
          if (k !== 'ids' && k !== 'types') throw new GraphFailure(graphError(GRAPH_ERRORS.unknownActionParameter, { parameter: k, operation: 'getByIds' }));
        }
        const { ids, types } = json as { ids?: unknown; types?: unknown };
        const badIds = graphError(GRAPH_ERRORS.invalidActionParameter, { property: 'ids', resource: RESOURCE });
        if (!Array.isArray(ids) || !ids.every((i): i is string => typeof i === 'string')) throw new GraphFailure(badIds);
        if (ids.length > MAX_GET_BY_IDS) throw new GraphFailure(TOO_MANY_IDS);
        for (const id of ids) if (!isGuid(id)) throw new GraphFailure(graphError(GRAPH_ERRORS.invalidObjectId, { id }));
        let wanted = DIRECTORY_OBJECT_SETS;
        if (types !== undefined && types !== null) {
          const badTypes = graphError(GRAPH_ERRORS.invalidActionParameter, { property: 'types', resource: RESOURCE });
          if (!Array.isArray(types) || !types.every((t): t is string => typeof t === 'string')) throw new GraphFailure(badTypes);
          const names = types.map((t) => t.toLowerCase().replace(/^(microsoft\.)?graph\./, ''));
          // UNCONFIRMED: Graph accepts other directory types (device, orgContact…) the mock does not hold; they match nothing here.
          wanted = DIRECTORY_OBJECT_SETS.filter((s) => names.includes(s.kind.toLowerCase()));
        }
        checkSelect(q.select, wanted.length > 0 ? wanted : DIRECTORY_OBJECT_SETS);
        const ix = directoryIndex(call.caller.tenant.directory);
        const items: string[] = [];
        const write = itemWriter(call, ix, q.select, true);
        const seen = new Set<string>();
        for (const raw of ids) {
          const id = raw.toLowerCase();
          if (seen.has(id)) continue;
          seen.add(id);
          const set = ix.setOf(id);
          if (!set || !wanted.includes(set)) continue;
          const j = write(id);
          if (j !== undefined) items.push(j);
        }
        const context = JSON.stringify(contextUrl(ctx.urls.graph, 'directoryObjects', { select: q.select }));
        return sendJson(call, `{"@odata.context":${context},"value":[${items.join(',')}]}`);
      },
      PERMISSIONS.directoryObjects,
    ),
  );
}
