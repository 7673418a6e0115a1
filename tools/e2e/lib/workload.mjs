// The orders of the run: place, pay and (some) cancel over REST, with bounded concurrency.
// A request that fails on the connection is retried with the SAME idempotency key, so a retry
// never creates a second order or a second payment request.
import { sleep } from './processes.mjs';

export const KINDS = /** @type {const} */ (['plain', 'out-of-stock', 'declined', 'cancel-after-confirm']);

/** Terminal status each kind must reach. */
export const EXPECTED_STATUS = {
  plain: 'CONFIRMED',
  'out-of-stock': 'CANCELED',
  declined: 'CANCELED',
  'cancel-after-confirm': 'CANCELED',
};

/** ~10% out of stock, ~10% declined, ~10% canceled after confirmation, the rest plain (deterministic). */
export function kindOf(index) {
  switch (index % 10) {
    case 3:
      return 'out-of-stock';
    case 6:
      return 'declined';
    case 9:
      return 'cancel-after-confirm';
    default:
      return 'plain';
  }
}

/** The order body of a kind; `declineAboveMinor` is the partner's limit. */
export function orderBody(index, kind, declineAboveMinor) {
  const price = (amountMinor) => ({ currency: 'EUR', amountMinor: String(amountMinor) });
  const items = [{ sku: `SKU-${index % 7}`, qty: 1 + (index % 3), price: price(1000 + (index % 50) * 10) }];
  if (kind === 'out-of-stock') items.push({ sku: `OOS-${index % 5}`, qty: 1, price: price(500) });
  if (kind === 'declined') items.push({ sku: 'SKU-BIG', qty: 1, price: price(declineAboveMinor + 1 + index) });
  return { customerId: `e2e-customer-${index % 20}`, currency: 'EUR', items };
}

/** The client's limit on one HTTP attempt: past it the attempt is abandoned and retried. */
export const ATTEMPT_TIMEOUT_MS = 15_000;

const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);

export class ApiClient {
  /** `retryStatus`: the HTTP statuses retried with the same key (default 408, 429, 502, 503, 504). */
  constructor(baseUrl, stats, { retryStatus = RETRYABLE_STATUS } = {}) {
    this.baseUrl = baseUrl;
    this.stats = stats; // { requests, polls, retries, connectionErrors } (+ serverErrors: 5xx answers seen, slowestMs: longest attempt)
    this.keysUsed = new Set();
    this.retryStatus = retryStatus;
  }

  /**
   * One call, retried (same key) on connection errors, 5xx-ish overload and IDEMPOTENCY_KEY_IN_FLIGHT
   * (the first attempt may still be running), until `deadline`.
   */
  async call(method, path, { body, key, deadlineMs = 60_000 } = {}) {
    if (key) this.keysUsed.add(key);
    const deadline = Date.now() + deadlineMs;
    for (let attempt = 1; ; attempt++) {
      if (method === 'GET') this.stats.polls += 1;
      else this.stats.requests += 1;
      let outcome;
      const began = Date.now();
      try {
        const response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: { ...(key ? { 'idempotency-key': key } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        const text = await response.text();
        let json = {};
        try {
          json = JSON.parse(text);
        } catch {
          json = {};
        }
        outcome = { status: response.status, json, text };
        if (response.status >= 500) {
          this.stats.serverErrors = (this.stats.serverErrors ?? 0) + 1;
          this.stats.serverErrorStatuses ??= {};
          this.stats.serverErrorStatuses[response.status] = (this.stats.serverErrorStatuses[response.status] ?? 0) + 1;
        }
        const inFlight = response.status === 409 && json.code === 'IDEMPOTENCY_KEY_IN_FLIGHT';
        if (!inFlight && !this.retryStatus.has(response.status)) return outcome;
      } catch (error) {
        this.stats.connectionErrors += 1;
        outcome = { status: 0, json: {}, text: String(error?.cause?.code ?? error) };
      } finally {
        // An answer (or the client's 15 s abort) that took long shows a request hanging on a silent dependency.
        this.stats.slowestMs = Math.max(this.stats.slowestMs ?? 0, Date.now() - began);
      }
      if (Date.now() > deadline) return outcome;
      this.stats.retries += 1;
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }
}

/**
 * Drives one order: create -> pay -> (cancel-after-confirm: wait for CONFIRMED, then cancel).
 * Returns the order record; failures are recorded on it, never thrown.
 */
export async function driveOrder(api, runId, index, kind, declineAboveMinor, confirmTimeoutMs, onPaid) {
  const order = { index, kind, id: undefined, errors: [], cancelSent: false };
  const created = await api.call('POST', '/v1/orders', { body: orderBody(index, kind, declineAboveMinor), key: `${runId}-${index}-create` });
  if (created.status !== 201 || !created.json.order?.id) {
    order.errors.push(`create: ${created.status} ${created.text.slice(0, 200)}`);
    return order;
  }
  order.id = created.json.order.id;
  order.totalMinor = Number(created.json.order.amount?.amountMinor);
  const paid = await api.call('POST', `/v1/orders/${order.id}/pay`, { key: `${runId}-${index}-pay` });
  if (paid.status !== 202) {
    order.errors.push(`pay: ${paid.status} ${paid.text.slice(0, 200)}`);
    return order;
  }
  onPaid();
  if (kind !== 'cancel-after-confirm') return order;
  const status = await waitForStatus(api, order.id, ['CONFIRMED', 'CANCELED'], confirmTimeoutMs);
  if (status !== 'CONFIRMED') {
    order.errors.push(`cancel-after-confirm: the order reached ${status}, not CONFIRMED`);
    return order;
  }
  order.cancelSent = true;
  const canceled = await api.call('POST', `/v1/orders/${order.id}/cancel`, { key: `${runId}-${index}-cancel`, body: { reason: 'e2e: canceled after confirmation' } });
  if (canceled.status !== 202) order.errors.push(`cancel: ${canceled.status} ${canceled.text.slice(0, 200)}`);
  return order;
}

export const statusName = (status) => String(status ?? '').replace(/^ORDER_STATUS_/, '');

/** Polls GET /v1/orders/{id} until its status is one of `wanted`; returns the last status seen. */
export async function waitForStatus(api, orderId, wanted, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let status = 'UNKNOWN';
  while (Date.now() < deadline) {
    const answer = await api.call('GET', `/v1/orders/${orderId}`, { deadlineMs: 10_000 });
    if (answer.status === 200) status = statusName(answer.json.order?.status);
    if (wanted.includes(status)) return status;
    await sleep(1_000);
  }
  return status;
}

/** Runs `work(i)` for i in 0..count-1 with at most `limit` at a time; results in index order. */
export async function boundedAll(count, limit, work) {
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}
