import { loadConfig } from '@oms/config';
import type { Socket } from 'node:net';
import { MAX_HEADER_BYTES, httpServerOptions, problemClientErrorHandler, timeoutCheckIntervalMs } from './http-server.options';

/** Records what the handler writes to a connection. */
function fakeSocket(state: { destroyed?: boolean; writable?: boolean } = {}) {
  const written: string[] = [];
  let destroyed = state.destroyed ?? false;
  const socket = {
    get destroyed() {
      return destroyed;
    },
    writable: state.writable ?? true,
    write: (chunk: string) => written.push(chunk),
    destroy: () => (destroyed = true),
  };
  return { socket: socket as unknown as Socket, written, isDestroyed: () => destroyed };
}

const errorWithCode = (code: string) => Object.assign(new Error(code), { code });

describe('REST server options', () => {
  it('takes the body limit and request timeout from config and bounds the head size', () => {
    const options = httpServerOptions(loadConfig({ OMS_HTTP_BODY_LIMIT: '64kb', OMS_HTTP_REQUEST_TIMEOUT: '2s' }));
    expect(options).toMatchObject({ bodyLimit: 64 * 1024, requestTimeout: 2000, http: { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: 500 } });
  });

  it('checks the timeout often enough for short timeouts, and not more than Node does for long ones', () => {
    expect(timeoutCheckIntervalMs(100)).toBe(50);
    expect(timeoutCheckIntervalMs(400)).toBe(100);
    expect(timeoutCheckIntervalMs(10 * 60_000)).toBe(30_000);
  });

  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_HEADER_OVERFLOW', 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE'],
    ['HPE_INVALID_HEADER_TOKEN', 400, 'MALFORMED_REQUEST'],
  ])('answers the parser error %s with %d problem+json, then closes', (code, status, problemCode) => {
    const { socket, written, isDestroyed } = fakeSocket();
    problemClientErrorHandler(errorWithCode(code), socket);
    const [response] = written;
    expect(response).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(response).toMatch(/\r\nContent-Type: application\/problem\+json/);
    const body = JSON.parse(String(response).split('\r\n\r\n')[1]);
    expect(body).toMatchObject({ status, code: problemCode });
    expect(String(response)).toContain(`Content-Length: ${Buffer.byteLength(JSON.stringify(body))}`);
    expect(isDestroyed()).toBe(true);
  });

  it('writes nothing to a connection that is already gone', () => {
    const reset = fakeSocket();
    problemClientErrorHandler(errorWithCode('ECONNRESET'), reset.socket);
    const closed = fakeSocket({ writable: false });
    problemClientErrorHandler(errorWithCode('HPE_HEADER_OVERFLOW'), closed.socket);
    expect([reset.written, closed.written]).toEqual([[], []]);
    expect(closed.isDestroyed()).toBe(true);
  });
});
