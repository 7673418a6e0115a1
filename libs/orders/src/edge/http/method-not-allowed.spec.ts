import { allowedMethodsOtherThan } from './method-not-allowed';

/** A router that knows GET/HEAD/POST on /v1/orders and POST on /v1/orders/:id/pay. */
const router = {
  findRoute: ({ method, url }: { method: string; url: string }) => {
    const known = (url === '/v1/orders' && ['GET', 'HEAD', 'POST'].includes(method)) || (/^\/v1\/orders\/[^/]+\/pay$/.test(url) && method === 'POST');
    return known ? { handler: () => undefined, params: {}, searchParams: {} } : null;
  },
};

describe('allowedMethodsOtherThan', () => {
  it('lists the methods of a known path requested with another method', () => {
    expect(allowedMethodsOtherThan(router, { method: 'DELETE', url: '/v1/orders?x=1' })).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethodsOtherThan(router, { method: 'get', url: '/v1/orders/o-1/pay' })).toEqual(['POST']);
  });

  it('is empty for unknown paths and for 404s raised by a route that serves the method', () => {
    expect(allowedMethodsOtherThan(router, { method: 'GET', url: '/v2/nothing' })).toEqual([]);
    expect(allowedMethodsOtherThan(router, { method: 'POST', url: '/v1/orders/o-1/pay' })).toEqual([]);
  });
});
