import type { DeadLetter, DeadLetterPage, SagaDetail, SagaHistoryEntry, SagaPage, SagaSummary } from './admin.types';

type Json = Record<string, unknown>;

const object = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The first of `names` that holds a string (or a number, written as one). */
function text(source: Json, ...names: string[]): string | null {
  for (const name of names) {
    const value = source[name];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return null;
}

function count(source: Json, ...names: string[]): number | null {
  for (const name of names) {
    const value = source[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  }
  return null;
}

/** A saga as the list and the detail answer it; the state's own fields fill what the row lacks. */
export function decodeSaga(raw: unknown): SagaSummary {
  const saga = object(raw);
  const state = object(saga['state']);
  return {
    id: text(saga, 'id', 'sagaId') ?? '',
    orderId: text(saga, 'orderId', 'order') ?? text(state, 'orderId') ?? '',
    kind: text(saga, 'kind') ?? text(state, 'kind') ?? '',
    status: text(saga, 'status') ?? '',
    step: text(saga, 'step') ?? text(state, 'step'),
    attempts: count(saga, 'attempts') ?? count(state, 'attempts') ?? 0,
    lastError: text(saga, 'lastError') ?? text(state, 'lastError'),
    nextAttemptAt: text(saga, 'nextAttemptAt', 'nextAttempt'),
    createdAt: text(saga, 'createdAt'),
    updatedAt: text(saga, 'updatedAt'),
  };
}

export function decodeSagaPage(raw: unknown): SagaPage {
  const page = object(raw);
  return { sagas: list(page['sagas'] ?? page['items']).map(decodeSaga), nextPageToken: text(page, 'nextPageToken') ?? '' };
}

function decodeHistoryEntry(raw: unknown): SagaHistoryEntry {
  const entry = object(raw);
  return {
    at: text(entry, 'at', 'time', 'timestamp', 'occurredAt'),
    step: text(entry, 'step'),
    what: text(entry, 'what', 'type', 'event', 'outcome', 'status') ?? '',
    attempts: count(entry, 'attempts', 'attempt'),
    idempotencyKey: text(entry, 'idempotencyKey', 'key'),
    error: text(entry, 'error', 'lastError', 'reason'),
  };
}

/** GET /v1/admin/sagas/{id}: the saga (wrapped in `saga` or not) and its step history. */
export function decodeSagaDetail(raw: unknown): SagaDetail {
  const body = object(raw);
  const saga = 'saga' in body ? object(body['saga']) : body;
  const history = list(saga['history'] ?? saga['steps'] ?? body['history'] ?? body['steps']);
  return { ...decodeSaga(saga), history: history.map(decodeHistoryEntry), state: saga['state'] ?? null };
}

function decodeDeadLetter(raw: unknown): DeadLetter {
  const letter = object(raw);
  return {
    id: text(letter, 'id', 'outboxId') ?? '',
    topic: text(letter, 'topic'),
    key: text(letter, 'key', 'aggregateId', 'orderId'),
    eventType: text(letter, 'eventType', 'type'),
    attempts: count(letter, 'attempts'),
    lastError: text(letter, 'lastError', 'error'),
    at: text(letter, 'deadLetteredAt', 'failedAt', 'createdAt'),
  };
}

export function decodeDeadLetterPage(raw: unknown): DeadLetterPage {
  const page = object(raw);
  const letters = list(page['deadLetters'] ?? page['items']).map(decodeDeadLetter);
  return { total: count(page, 'total', 'count') ?? letters.length, deadLetters: letters };
}
