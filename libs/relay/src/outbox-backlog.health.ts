import { Inject, Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { Outbox } from '@oms/domain';
import { HealthRegistry } from '@oms/observability';

/** The readiness check RelayModule owns; no other module registers it. */
export const OUTBOX_BACKLOG_CHECK = 'outbox_backlog';

/** A relay is not ready while more rows are pending than OMS_OUTBOX_MAX_PENDING (it is falling behind). */
@Injectable()
export class OutboxBacklogHealth implements OnApplicationBootstrap {
  constructor(
    private readonly outbox: Outbox,
    @Inject(OMS_CONFIG) private readonly config: OmsConfig,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const maxPending = this.config.outbox.maxPending;
    this.health?.register({
      name: OUTBOX_BACKLOG_CHECK,
      readiness: true,
      check: async () => {
        const { pending, oldestPendingAt } = await this.outbox.stats();
        return { up: pending <= maxPending, details: { pending, maxPending, oldestPendingAt: oldestPendingAt?.toISOString() ?? null } };
      },
    });
  }
}
