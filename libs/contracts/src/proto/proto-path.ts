import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * Root folders that may hold the .proto tree. From source (tests) this file sits in
 * libs/contracts/src/proto; in a built app the bundle sits in dist/apps/<app> and the
 * build copies the tree to dist/apps/<app>/proto.
 */
export function protoRoots(): string[] {
  return [__dirname, join(__dirname, 'proto'), join(process.cwd(), 'proto'), join(process.cwd(), 'libs/contracts/src/proto')];
}

/** Absolute path of a .proto file, e.g. `protoPath('oms/v1/order_service.proto')`. */
export function protoPath(relative: string): string {
  if (isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
    throw new Error(`proto path must be relative to the proto root: ${relative}`);
  }
  for (const root of protoRoots()) {
    const candidate = join(root, relative);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`proto file ${relative} not found under ${protoRoots().join(', ')}`);
}

/** The folder to pass as proto include dir (`includeDirs`), found the same way. */
export function protoRoot(): string {
  return protoPath('oms/v1/order_service.proto').replace(/[\\/]oms[\\/]v1[\\/]order_service\.proto$/, '');
}

export const ORDER_SERVICE_PROTO = 'oms/v1/order_service.proto';
export const INVENTORY_PROTO = 'oms/partners/v1/inventory.proto';
export const PAYMENT_PROTO = 'oms/partners/v1/payment.proto';
export const ORDER_SERVICE_NAME = 'oms.v1.OrderService';
