import { Module, type DynamicModule } from '@nestjs/common';
import { Clock, IdGenerator, OrderStreams, SystemClock, UuidV7IdGenerator } from '@oms/domain';
import { EventSourcedOrderStreams } from './application/event-sourced-order-streams';

export interface OrderWriteModuleOptions {
  /** Defaults: SystemClock and UuidV7IdGenerator; tests pass fixed ones. */
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

/**
 * The order streams, read and written (OrderStreams = EventSourcedOrderStreams), plus the Clock
 * and IdGenerator it stamps events with, global so that the API and the sagas share it.
 * Needs EventStore and UnitOfWork from the app (StorageModule.forRoot()).
 */
@Module({})
export class OrderWriteModule {
  static forRoot(options: OrderWriteModuleOptions = {}): DynamicModule {
    return {
      module: OrderWriteModule,
      global: true,
      providers: [
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: IdGenerator, useValue: options.ids ?? new UuidV7IdGenerator() },
        EventSourcedOrderStreams,
        { provide: OrderStreams, useExisting: EventSourcedOrderStreams },
      ],
      exports: [Clock, IdGenerator, OrderStreams],
    };
  }
}
