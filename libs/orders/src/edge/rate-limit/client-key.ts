/**
 * The rate-limit key of a client: its IP address, the same for REST and gRPC so that a
 * client gets one budget whatever transport it uses. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`) count as their IPv4 address.
 */
export function clientKeyOfAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice('::ffff:'.length) : lower;
}

/**
 * The key of a gRPC peer as grpc-js reports it: `1.2.3.4:5678`, `[::1]:5678`,
 * `ipv4:1.2.3.4:5678`, `ipv6:[::1]:5678` or `unix:/path` (then the path names the client).
 */
export function clientKeyOfGrpcPeer(peer: string | undefined): string {
  if (!peer) return 'unknown';
  const address = peer.replace(/^ipv[46]:/, '');
  if (address.startsWith('unix:')) return address;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return clientKeyOfAddress(bracketed[1]);
  const hostPort = /^([^:]+):\d+$/.exec(address);
  return clientKeyOfAddress(hostPort ? hostPort[1] : address);
}
