import { fromJSON } from '@grpc/proto-loader';
import { grpcBindAddress, grpcCredentials, packagesOf, serviceNamesOf } from './grpc-server.options';

describe('gRPC server options', () => {
  it('formats bind addresses, IPv6 in brackets', () => {
    expect(grpcBindAddress({ host: '0.0.0.0', port: 50051 })).toBe('0.0.0.0:50051');
    expect(grpcBindAddress({ host: '::', port: 0 })).toBe('[::]:0');
    expect(grpcBindAddress({ host: '', port: 1 })).toBe('0.0.0.0:1');
  });

  it('serves plaintext without a certificate and TLS with one', () => {
    expect(grpcCredentials({})._isSecure()).toBe(false);
    expect(grpcCredentials({ cert: 'CERT' })._isSecure()).toBe(false);
    expect(grpcCredentials({ cert: 'CERT', key: 'KEY' })._isSecure()).toBe(true);
  });

  it('finds the services of a definition and the packages Nest looks them up in', () => {
    const definition = fromJSON({
      nested: {
        a: { nested: { v1: { nested: { One: { methods: { Do: { requestType: 'M', responseType: 'M', comment: '' } } }, M: { fields: {} } } } } },
        b: { nested: { Two: { methods: {} }, E: { values: { X: 0 } } } },
      },
    });
    expect(serviceNamesOf(definition).sort()).toEqual(['a.v1.One', 'b.Two']);
    expect(packagesOf(['a.v1.One', 'a.v1.Other', 'b.Two'])).toEqual(['a.v1', 'b']);
  });
});
