const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];

/** Fastify's router lookup by concrete path (`findRoute` answers null when nothing matches). */
export interface RouteFinder {
  findRoute(route: { method: Method; url: string }): unknown;
}

interface RequestLine {
  readonly method: string;
  readonly url: string;
}

/**
 * The methods the router serves for this request's path. Empty when the path is unknown, or
 * when the request's own method is served (then a 404 came from the handler, e.g. an unknown
 * asset, not from routing): only then is a 404 really a 405.
 */
export function allowedMethodsOtherThan(router: RouteFinder, request: RequestLine): string[] {
  const path = request.url.split('?')[0] ?? '';
  const served = METHODS.filter((method) => router.findRoute({ method, url: path }) != null);
  return served.includes(request.method.toUpperCase() as Method) ? [] : served;
}
