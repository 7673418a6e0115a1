import { format } from 'node:util';
import { setLogger } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';

/**
 * grpc-js writes its own errors to stderr as plain text ("E No address added out of total 1
 * resolved" beside the start-up failure that already says the gRPC address is in use). Routed
 * through Nest's logger they become JSON lines like every other, and during start-up they are
 * held like every other error line (see StartupLogger). Its verbosity (GRPC_VERBOSITY) is kept.
 */
export function routeGrpcLogs(): void {
  const logger = new Logger('grpc-js');
  setLogger({
    error: (message?: unknown, ...params: unknown[]) => logger.error(format(message, ...params)),
    info: (message?: unknown, ...params: unknown[]) => logger.log(format(message, ...params)),
    debug: (message?: unknown, ...params: unknown[]) => logger.debug(format(message, ...params)),
  });
}
