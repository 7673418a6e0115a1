import { ApiError, newIdempotencyKey, request } from './http';

/** sessionStorage and window as the browser has them, enough for the admin token. */
function browserGlobals(token?: string): void {
  const store = new Map<string, string>(token ? [['oms.console.adminToken', token]] : []);
  Object.assign(globalThis, {
    sessionStorage: {
      getItem: (key: string) => store.get(key) ?? null,
      setItem: (key: string, value: string) => store.set(key, value),
      removeItem: (key: string) => store.delete(key),
    },
    window: { dispatchEvent: () => true, addEventListener: () => undefined, removeEventListener: () => undefined },
  });
}

describe('request', () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const answer = (status: number, body: string, contentType = 'application/json') =>
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
      calls.push({ url: String(url), init: init ?? {} });
      return new Response(body, { status, headers: { 'content-type': contentType } });
    });

  beforeEach(() => (calls.length = 0));
  afterEach(() => jest.restoreAllMocks());

  it('sends the admin token as a bearer, the Idempotency-Key and a JSON body, and reads the JSON answer', async () => {
    browserGlobals('secret-token-0123456789');
    answer(202, '{"saga":{"id":"s-1"}}');
    const body = await request<{ saga: { id: string } }>('/v1/admin/sagas/s-1/resolve', { method: 'POST', admin: true, body: { note: 'n' }, idempotencyKey: 'k-1' });
    expect(body.saga.id).toBe('s-1');
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers).toMatchObject({ authorization: 'Bearer secret-token-0123456789', 'idempotency-key': 'k-1', 'content-type': 'application/json' });
    expect(calls[0].init.body).toBe('{"note":"n"}');
  });

  it('sends no token to the public API, nor to the admin API when none was entered', async () => {
    browserGlobals();
    answer(200, '{}');
    await request('/v1/admin/sagas', { admin: true });
    await request('/v1/orders/o-1');
    for (const call of calls) expect((call.init.headers as Record<string, string>)['authorization']).toBeUndefined();
  });

  it('turns a problem+json answer into an ApiError, and an unreachable server into status 0', async () => {
    browserGlobals();
    answer(401, '{"title":"Unauthorized","status":401,"detail":"admin token required"}', 'application/problem+json');
    await expect(request('/v1/admin/sagas', { admin: true })).rejects.toMatchObject({ status: 401, isAuth: true, detail: 'admin token required' });
    jest.restoreAllMocks();
    jest.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed'));
    const error = await request('/v1/orders/o-1').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, title: 'OMS is not reachable' });
  });

  it('names idempotency keys after the action, unique per call', () => {
    const first = newIdempotencyKey('retry');
    expect(first).toMatch(/^console-retry-[0-9a-f-]{36}$/);
    expect(newIdempotencyKey('retry')).not.toBe(first);
  });
});
