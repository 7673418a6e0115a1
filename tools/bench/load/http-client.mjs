// A small keep-alive JSON client over node:http (cheaper per request than fetch).
import http from 'node:http';

export class ApiClient {
  constructor(baseUrl, maxSockets = 64) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** Resolves { status, body, ms } (never rejects on HTTP status; network errors give status 0). */
  post(path, body, idempotencyKey) {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const started = performance.now();
    return new Promise((resolve) => {
      const request = http.request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'POST',
          agent: this.agent,
          timeout: 10_000,
          // No body, no content type: an empty application/json body is a 400 in Fastify.
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            'content-length': Buffer.byteLength(payload),
            'idempotency-key': idempotencyKey,
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => {
            let parsed;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
            resolve({ status: response.statusCode, body: parsed, ms: performance.now() - started });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error) => resolve({ status: 0, body: error.message, ms: performance.now() - started }));
      request.end(payload);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/** Wall-clock milliseconds with sub-millisecond precision (comparable with PostgreSQL timestamps). */
export const wallClockMs = () => performance.timeOrigin + performance.now();
