// The network links of the chaos run: one fault proxy (tools/fault-proxy) per app and dependency,
// so a fault can degrade one app's path to PostgreSQL, the broker or the partners while the
// others stay healthy. A Kafka client follows the broker addresses the cluster advertises, so a
// broker link is the metadata-rewriting proxy of libs/testing dialing each broker through a
// fault proxy of its own.
import { startFaultProxy } from '../../fault-proxy/fault-proxy.mjs';
import { startKafkaProxy } from '../../e2e/lib/oms-kafka.mjs';

export class Links {
  constructor() {
    /** `${app}/${kind}` -> the fault proxies of that link (several for a broker link: one per broker). */
    this.byName = new Map();
    this.stoppers = [];
  }

  /** A link from `app` to PostgreSQL at `upstream` ("host:port"); resolves to the address to dial. */
  async postgres(app, upstream) {
    return (await this.#single(app, 'postgres', upstream)).address;
  }

  /** A link from `app` to the partners' gRPC server at `upstream`; resolves to the address to dial. */
  async partner(app, upstream) {
    return (await this.#single(app, 'partner', upstream)).address;
  }

  /** A link from `app` to the broker cluster `brokers` ("host:port,..."); resolves to its bootstrap list. */
  async broker(app, brokers) {
    const upstream = brokers.split(',');
    const proxies = [];
    for (const address of upstream) proxies.push(await startFaultProxy({ upstream: address, name: `${app}/broker ${address}` }));
    const kafka = await startKafkaProxy({ upstream, dial: Object.fromEntries(upstream.map((address, i) => [address, proxies[i].address])) });
    this.byName.set(`${app}/broker`, proxies);
    this.stoppers.push(() => kafka.stop(), ...proxies.map((proxy) => () => proxy.stop()));
    return kafka.brokers.join(',');
  }

  /** Sets `faults` (fault-proxy's latencyMs, bytesPerSecond, blackhole) on the `kind` link of each app. */
  set(apps, kind, faults) {
    for (const app of apps) {
      const proxies = this.byName.get(`${app}/${kind}`);
      if (!proxies) throw new Error(`no ${kind} link for ${app}`);
      for (const proxy of proxies) proxy.set(faults);
    }
  }

  /** Every app with a `kind` link. */
  appsWith(kind) {
    return [...this.byName.keys()].filter((name) => name.endsWith(`/${kind}`)).map((name) => name.slice(0, -kind.length - 1));
  }

  async stop() {
    await Promise.all(this.stoppers.map((stop) => stop().catch(() => undefined)));
  }

  async #single(app, kind, upstream) {
    const proxy = await startFaultProxy({ upstream, name: `${app}/${kind}` });
    this.byName.set(`${app}/${kind}`, [proxy]);
    this.stoppers.push(() => proxy.stop());
    return proxy;
  }
}
