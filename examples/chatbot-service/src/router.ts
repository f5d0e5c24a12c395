import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-io.js';

/**
 * What a route handler receives: the request, the response, the `:name`
 * segments of its path and the query string.
 *
 * @example
 * ```ts
 * const handler: RouteHandler = async ({ params, res }) => sendJson(res, 200, { id: params.id });
 * ```
 */
export type RouteHandler = (call: {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}) => Promise<void>;

/**
 * One route: a method and a path pattern such as `/users/:id/conversations`.
 *
 * @example
 * ```ts
 * const route: Route = { method: 'GET', path: '/users/:id', handler };
 * ```
 */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly handler: RouteHandler;
}

/**
 * A matcher over a fixed route table. An unknown path is a 404
 * `ROUTE_NOT_FOUND`; a known path with another method is a 405.
 *
 * @example
 * ```ts
 * const dispatch = router([{ method: 'GET', path: '/users/:id', handler }]);
 * http.createServer((req, res) => void dispatch(req, res));
 * ```
 */
export function router(routes: readonly Route[]): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const compiled = routes.map((r) => ({ ...r, segments: r.path.split('/').slice(1) }));
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://service');
    const parts = url.pathname.split('/').slice(1);
    let pathMatched = false;
    for (const route of compiled) {
      const params = match(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      return route.handler({ req, res, params, query: url.searchParams });
    }
    if (pathMatched) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? ''} is not served on ${url.pathname}.`);
    throw new HttpError(404, 'ROUTE_NOT_FOUND', `No route ${url.pathname}. See the service's README for the routes.`);
  };
}

function match(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const part = parts[i]!;
    if (p.startsWith(':')) {
      if (part === '') return undefined;
      try {
        params[p.slice(1)] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    } else if (p !== part) return undefined;
  }
  return params;
}
