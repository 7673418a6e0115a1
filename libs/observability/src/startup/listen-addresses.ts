/**
 * Where the listeners of this process are bound (REST, gRPC, ops, ...), recorded by each
 * listener once it is bound, so the start-up line can say where everything is with the real
 * port (port 0 picks one). One per process, provided by ObservabilityModule.
 */
export class ListenAddresses {
  private readonly addresses = new Map<string, string>();

  /** `name` is the listener (`rest`, `grpc`, `ops`); `url` how to reach it (`http://0.0.0.0:8080`, `0.0.0.0:50051`). */
  record(name: string, url: string): void {
    this.addresses.set(name, url);
  }

  forget(name: string): void {
    this.addresses.delete(name);
  }

  /** In the order they were recorded. */
  list(): readonly { readonly name: string; readonly url: string }[] {
    return [...this.addresses].map(([name, url]) => ({ name, url }));
  }
}

/** `host:port` of a bound socket address, IPv6 hosts in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
