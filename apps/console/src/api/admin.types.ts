/**
 * The admin API's bodies (/v1/admin, bearer OMS_ADMIN_TOKEN) as the contracts declare them, and
 * what the console makes of them. Type-only: nothing of the server's code reaches the bundle.
 */
export type {
  AdminDeadLetterJson,
  AdminDeadLettersJson,
  AdminSagaDetailJson,
  AdminSagaHistoryEntryJson,
  AdminSagaJson,
  AdminSagaListJson,
  SagaStatusName,
} from '@oms/contracts';
import type { AdminSagaDetailJson, AdminSagaHistoryEntryJson, AdminSagaJson } from '@oms/contracts';

/** A saga with its stored state and the order events it wrote. */
export interface SagaDetail extends AdminSagaJson {
  readonly state: unknown;
  readonly history: readonly AdminSagaHistoryEntryJson[];
}

export type { AdminSagaDetailJson as SagaDetailBody };

/** One partner call of a saga: its step, its idempotency key and how it went. */
export interface PartnerCall {
  readonly step: string;
  readonly idempotencyKey: string;
  /** `answered: <event>` for a call the saga recorded an answer to; `pending` for the one it waits on. */
  readonly outcome: string;
  readonly at: string | null;
  readonly attempts: number | null;
  readonly error: string | null;
}

/** The lists of sagas the Sagas page offers, each an admin API query (and a filter of its rows). */
export interface SagaList {
  readonly id: string;
  readonly label: string;
  readonly query: Readonly<Record<string, string>>;
  /** Rows of the page to keep (the API filters by status and age only). */
  readonly keep?: (saga: AdminSagaJson) => boolean;
}
