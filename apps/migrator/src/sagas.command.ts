import type { OmsConfig } from '@oms/config';
import { SystemClock, UuidV7IdGenerator, type SagaStatus } from '@oms/domain';
import { EventSourcedOrderStreams, SagaOperations, toAdminSagaDetailJson, toAdminSagaJson, type SagaDetail } from '@oms/orders';
import type { StorageDrivers } from '@oms/storage';

/** `migrator sagas ...`: what it was asked. */
export type SagasCommand =
  | {
      readonly action: 'list';
      readonly status?: SagaStatus;
      readonly olderThanMs?: number;
      readonly pageSize: number;
      readonly pageToken?: string;
      readonly json: boolean;
    }
  | { readonly action: 'show'; readonly sagaId: string; readonly json: boolean }
  | { readonly action: 'retry'; readonly sagaId: string }
  | { readonly action: 'resolve'; readonly sagaId: string; readonly note: string; readonly operator: string };

/** The admin service over the migrator's own drivers: the same code as order-api's /v1/admin. */
export function sagaOperationsOn(drivers: StorageDrivers, config: OmsConfig): SagaOperations {
  const clock = new SystemClock();
  const orders = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, clock, new UuidV7IdGenerator(), undefined, config);
  return new SagaOperations(drivers.sagas, orders, drivers.outbox, clock);
}

const dash = (value: string | null): string => value ?? '-';

/** Runs one sagas command; returns the lines to print. Errors (unknown saga, not allowed) throw. */
export async function runSagasCommand(command: SagasCommand, operations: SagaOperations): Promise<string[]> {
  switch (command.action) {
    case 'list': {
      const { json, action: _action, ...request } = command;
      const page = await operations.list(request);
      const sagas = page.sagas.map(toAdminSagaJson);
      if (json) return [JSON.stringify({ sagas, nextPageToken: page.nextPageToken })];
      const lines = sagas.map(
        (saga) =>
          `${saga.id} order ${saga.orderId} ${saga.kind} ${saga.status} step ${dash(saga.step)} attempts ${saga.attempts} ` +
          `next ${dash(saga.nextAttemptAt)} updated ${saga.updatedAt}: ${dash(saga.lastError)}`,
      );
      lines.push(`${sagas.length} saga(s)${page.nextPageToken ? `; next page: --page-token ${page.nextPageToken}` : ''}`);
      return lines;
    }
    case 'show': {
      const detail = await operations.show(command.sagaId);
      return command.json ? [JSON.stringify(toAdminSagaDetailJson(detail))] : detailLines(detail);
    }
    case 'retry': {
      const saga = toAdminSagaJson(await operations.retry(command.sagaId));
      return [`saga ${saga.id} is ${saga.status}, due ${dash(saga.nextAttemptAt)}: the saga orchestrator drives it at its next sweep`];
    }
    case 'resolve': {
      const saga = toAdminSagaJson(await operations.resolve(command.sagaId, { note: command.note, resolvedBy: command.operator }));
      return [`saga ${saga.id} is ${saga.status}; order ${saga.orderId} records who resolved it and why`];
    }
  }
}

function detailLines({ saga, history }: SagaDetail): string[] {
  const json = toAdminSagaJson(saga);
  return [
    `saga ${json.id} (${json.kind}) of order ${json.orderId}: ${json.status}, version ${saga.version}`,
    `step ${dash(json.step)} attempts ${json.attempts} next ${dash(json.nextAttemptAt)} last error: ${dash(json.lastError)}`,
    `state ${JSON.stringify(saga.state)}`,
    ...history.map((event) => {
      const reason = (event.data as { reason?: unknown } | null)?.reason;
      return `  #${event.version} ${event.metadata.occurredAt} ${event.type}${typeof reason === 'string' && reason ? `: ${reason}` : ''}`;
    }),
  ];
}
