import { testConfig } from '@oms/testing';
import { grpcChannelCredentials, grpcPartnerOptionsOf } from './grpc-partner.options';

const pem = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
const CERT = pem('CERTIFICATE');
const KEY = pem('PRIVATE KEY');
const CA = pem('CERTIFICATE').replace('AAAA', 'BBBB');

describe('grpcPartnerOptionsOf', () => {
  it('takes the address per partner and the saga call timeout as deadline, plaintext by default', () => {
    const config = testConfig({
      OMS_PARTNER_INVENTORY_ADDR: 'inventory:7001',
      OMS_PARTNER_PAYMENT_ADDR: 'payment:7002',
      OMS_SAGA_CALL_TIMEOUT: '750ms',
    });
    expect(grpcPartnerOptionsOf(config, 'inventory')).toEqual({ address: 'inventory:7001', callTimeoutMs: 750 });
    expect(grpcPartnerOptionsOf(config, 'payment')).toEqual({ address: 'payment:7002', callTimeoutMs: 750 });
  });

  it('uses the gRPC TLS material: the CA to verify the partner, the certificate and key as client certificate', () => {
    const config = testConfig({ OMS_GRPC_TLS_CERT: CERT, OMS_GRPC_TLS_KEY: KEY, OMS_GRPC_TLS_CLIENT_CA: CA });
    expect(grpcPartnerOptionsOf(config, 'payment').tls).toEqual({ rootCa: CA, cert: CERT, key: KEY });
  });

  it('verifies the partner against the system roots when no CA is configured', () => {
    const config = testConfig({ OMS_GRPC_TLS_CERT: CERT, OMS_GRPC_TLS_KEY: KEY });
    expect(grpcPartnerOptionsOf(config, 'inventory').tls).toStrictEqual({ cert: CERT, key: KEY });
  });
});

describe('grpcChannelCredentials', () => {
  it('is insecure without TLS options and secure with them', () => {
    expect(grpcChannelCredentials(undefined)._isSecure()).toBe(false);
    expect(grpcChannelCredentials({})._isSecure()).toBe(true);
  });

  it('refuses a client certificate without its key', () => {
    expect(() => grpcChannelCredentials({ cert: 'CERT' })).toThrow(/certificate and key must be set together/);
  });
});
