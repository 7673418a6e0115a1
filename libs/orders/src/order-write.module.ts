import { Module, type DynamicModule } from '@nestjs/common';
import { Clock, IdGenerator, OrderCommandBus, SystemClock, UuidV7IdGenerator } from '@oms/domain';
import { OrderCommandExecutor } from './application/order-command.executor';

export interface OrderWriteModuleOptions {
  /** Defaults: SystemClock and UuidV7IdGenerator; tests pass fixed ones. */
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

/**
 * The single write path of orders (OrderCommandBus = OrderCommandExecutor) plus the Clock
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
        OrderCommandExecutor,
        { provide: OrderCommandBus, useExisting: OrderCommandExecutor },
      ],
      exports: [Clock, IdGenerator, OrderCommandBus],
    };
  }
}
