// An order-api client that sends to its own instance while that one is up and to another one
// while it is down (killed, restarting), as a load balancer would. Retries keep their
// idempotency key, so a request cut off by a kill and retried elsewhere is answered once.
import { ApiClient } from '../../e2e/lib/workload.mjs';

export class FailoverApiClient extends ApiClient {
  /** `apis`: the order-api processes (`ports.http`, `running`, `supervised`); `preferred`: this client's own. */
  constructor(apis, preferred, stats, options) {
    super('', stats, options);
    this.apis = apis;
    this.preferred = preferred;
  }

  /** A patient client: retries (same key) for up to 3 minutes, so a stalled shared machine is waited out. */
  call(method, path, options = {}) {
    return super.call(method, path, { deadlineMs: 180_000, ...options });
  }

  get baseUrl() {
    const up = (api) => api.running && api.supervised;
    const api = up(this.apis[this.preferred]) ? this.apis[this.preferred] : (this.apis.find(up) ?? this.apis[this.preferred]);
    return `http://127.0.0.1:${api.ports.http}`;
  }

  set baseUrl(_ignored) {
    // the address is chosen per request
  }
}
