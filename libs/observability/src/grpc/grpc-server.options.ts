import { ServerCredentials } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import type { ListenAddress, OmsConfig } from '@oms/config';

/** `host:port` to bind; an empty host is every IPv4 interface, IPv6 hosts go in brackets. */
export function grpcBindAddress(addr: ListenAddress): string {
  const host = addr.host === '' ? '0.0.0.0' : addr.host;
  return `${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
}

/** Server credentials from OMS_GRPC_TLS_*: plaintext, TLS (cert + key) or mutual TLS (plus a client CA). */
export function grpcCredentials(tls: OmsConfig['grpc']['tls']): ServerCredentials {
  if (!tls.cert || !tls.key) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa ? Buffer.from(tls.clientCa) : null,
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    Boolean(tls.clientCa),
  );
}

/** Fully qualified names of the services in a package definition (message and enum types have a `format`). */
export function serviceNamesOf(definition: PackageDefinition): string[] {
  return Object.entries(definition)
    .filter(([, value]) => !('format' in value))
    .map(([name]) => name);
}

/** The proto packages that hold those services (`oms.v1.OrderService` is in `oms.v1`), as Nest looks them up. */
export function packagesOf(serviceNames: readonly string[]): string[] {
  return [...new Set(serviceNames.map((name) => name.slice(0, name.lastIndexOf('.'))))];
}
