import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { OmsConfig } from '@oms/config';

/** TLS of a partner channel. PEM text, not file names (config resolves `*_FILE`). */
export interface GrpcClientTls {
  /** CA bundle that signed the partner's certificate; absent = the system roots. */
  readonly rootCa?: string;
  /** Client certificate chain for mutual TLS (with `key`). */
  readonly cert?: string;
  /** Client private key for mutual TLS (with `cert`). */
  readonly key?: string;
}

export interface GrpcPartnerClientOptions {
  /** `host:port` of the partner (config.partners.inventoryAddr / paymentAddr). */
  readonly address: string;
  /** Deadline of every call, from its start (config.saga.callTimeoutMs). */
  readonly callTimeoutMs: number;
  /** Absent = plaintext (inside the cluster network policy / a mesh). */
  readonly tls?: GrpcClientTls;
}

/**
 * Options of a partner client from config. TLS reuses the process's gRPC TLS material
 * (OMS_GRPC_TLS_*; there are no partner-specific TLS variables): with a certificate and key
 * configured the channel is TLS, presents them as its client certificate (mutual TLS), and
 * verifies the partner against OMS_GRPC_TLS_CLIENT_CA (the internal CA) or the system roots.
 */
export function grpcPartnerOptionsOf(config: OmsConfig, partner: 'inventory' | 'payment'): GrpcPartnerClientOptions {
  const { cert, key, clientCa } = config.grpc.tls;
  const tls = cert && key ? { cert, key, ...(clientCa ? { rootCa: clientCa } : {}) } : undefined;
  return {
    address: partner === 'inventory' ? config.partners.inventoryAddr : config.partners.paymentAddr,
    callTimeoutMs: config.saga.callTimeoutMs,
    ...(tls ? { tls } : {}),
  };
}

/** Channel credentials for the options: insecure, TLS, or TLS with a client certificate. */
export function grpcChannelCredentials(tls: GrpcClientTls | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  const pem = (text: string | undefined): Buffer | null => (text ? Buffer.from(text) : null);
  if (Boolean(tls.cert) !== Boolean(tls.key)) {
    throw new Error('partner client TLS: the client certificate and key must be set together');
  }
  return credentials.createSsl(pem(tls.rootCa), pem(tls.key), pem(tls.cert));
}
