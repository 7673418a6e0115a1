import { clientKeyOfAddress, clientKeyOfGrpcPeer } from './client-key';

describe('client keys', () => {
  it('keys REST clients by IP, IPv4-mapped IPv6 as IPv4', () => {
    expect(clientKeyOfAddress('10.1.2.3')).toBe('10.1.2.3');
    expect(clientKeyOfAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKeyOfAddress('2001:DB8::1')).toBe('2001:db8::1');
    expect(clientKeyOfAddress(undefined)).toBe('unknown');
  });

  it.each([
    ['127.0.0.1:50123', '127.0.0.1'],
    ['ipv4:10.0.0.7:1234', '10.0.0.7'],
    ['[::1]:50123', '::1'],
    ['ipv6:[::ffff:10.0.0.7]:1', '10.0.0.7'],
    ['unix:/run/oms.sock', 'unix:/run/oms.sock'],
    ['', 'unknown'],
  ])('keys the gRPC peer %s as %s, so that every connection of one host shares a bucket', (peer, key) => {
    expect(clientKeyOfGrpcPeer(peer)).toBe(key);
  });
});
