import { Buffer } from 'node:buffer';
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import {
  addApiVersions,
  API_KEYS,
  ERROR_CODES,
  fetchMaxWait,
  frame,
  FrameReader,
  isEmptyFetchResponse,
  readRequestHeader,
  readSaslAuthenticateRequest,
  readSaslHandshakeRequest,
  responseCorrelationId,
  rewriteFindCoordinatorResponse,
  rewriteMetadataResponse,
  saslAuthenticateResponse,
  saslHandshakeResponse,
  withFetchMaxWait,
  type AddressMapper,
} from './kafka-wire';
import { SASL_MECHANISM_NAMES, startSaslExchange, type SaslExchange, type SaslMechanismName } from './sasl-server';

/**
 * A TLS-terminating, SASL-authenticating front for the mock cluster, so that tests can run
 * OMS against a secured "cluster" where no real one exists.
 *
 * Why a proxy has to understand some of the protocol: a Kafka client dials the bootstrap
 * address once, then connects to the broker addresses the cluster advertises in Metadata
 * (and to the group coordinator FindCoordinator names). librdkafka's mock cluster advertises
 * its own plaintext listeners and has no setting to advertise anything else, so a plain TLS
 * tunnel would see clients leave it after their first Metadata answer (and fail, speaking TLS
 * to a plaintext port). The proxy therefore opens one listener per mock broker and rewrites
 * the broker addresses in Metadata and FindCoordinator answers to its own listeners: every
 * connection of the client goes through it. The answers are decoded field by field for the
 * versions the mock speaks (non-flexible ones); an unexpected version fails the connection
 * and is recorded in errors(), so a test sees it instead of a client reading garbage.
 *
 * SASL: Kafka authenticates per connection with SaslHandshake + SaslAuthenticate before any
 * other request but ApiVersions. The mock has neither, so with `sasl` set the proxy answers
 * them itself (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 against its own user list), advertises them
 * in ApiVersions answers, refuses every other request before a successful login, and only
 * then passes requests through to the mock.
 *
 * Long polls (`longPollFetch`): a Kafka broker answers a waiting Fetch as soon as a message
 * arrives; the mock answers only when the wait (kafkajs `maxWaitTimeInMs`) ends, which adds
 * about half that wait to every hop through an idle consumer. With the option set, the proxy
 * forwards each Fetch with no wait, holds an empty answer, and asks again whenever a Produce
 * answer passes through it (any connection) until the client's own wait ends: the client sees
 * Kafka's behaviour, and makes no more fetches than against Kafka (the mock is asked again once
 * per Produce answer while a Fetch is held, which a broker does not need). Only an answered
 * Produce wakes: an acks=0 produce (no answer) or a transaction's commit does not, which OMS,
 * producing with acks=all and without transactions, never needs.
 */
export interface KafkaProxyOptions {
  /** The mock cluster's broker addresses (host:port), e.g. KafkaMock.brokers. */
  readonly upstream: readonly string[];
  /** Serve TLS with this certificate; `ca` + `requireClientCertificate` = mutual TLS. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string; readonly requireClientCertificate?: boolean };
  /** Require a SASL login with one of `mechanisms` as one of `users` (name -> password). */
  readonly sasl?: { readonly mechanisms: readonly SaslMechanismName[]; readonly users: Readonly<Record<string, string>> };
  readonly host?: string;
  /**
   * Per upstream broker, the address to dial instead (e.g. a fault proxy in front of it); Metadata
   * and FindCoordinator answers are still mapped by the upstream's own address.
   */
  readonly dial?: Readonly<Record<string, string>>;
  /** Answer a waiting Fetch when a message is produced, as Kafka does (see above). */
  readonly longPollFetch?: boolean;
}

export interface KafkaProxy {
  /** Bootstrap addresses for clients: one listener per upstream broker. */
  readonly brokers: string[];
  /** Connections accepted so far (TLS handshakes that completed, when TLS is on). */
  connections(): number;
  /** Users that logged in, one entry per authenticated connection. */
  logins(): string[];
  /** Refused logins (SASL) and TLS handshakes that failed, as the proxy saw them. */
  refusals(): string[];
  /** Protocol problems (unsupported versions, unknown broker addresses): a healthy run has none. */
  errors(): string[];
  /** With `longPollFetch`: empty answers held (a Fetch held again after a Produce counts again), and the Produce answers that found held Fetches to wake. */
  longPolls(): { held: number; wokenByProduce: number };
  stop(): Promise<void>;
}

interface Pending {
  readonly correlationId: number;
  readonly apiKey: number;
  readonly apiVersion: number;
  answer?: Buffer;
  fetch?: HeldFetch;
}

/** A Fetch the proxy asks with no wait, again and again, until it has records or its wait ends. */
interface HeldFetch {
  /** The request as forwarded: max_wait_ms 0. */
  readonly request: Buffer;
  readonly deadline: number;
  /** The Produce answers seen when it was last asked: one more since means ask again at once. */
  askedAtProduce: number;
  timer?: NodeJS.Timeout;
  askAgain?: () => void;
}

export async function startKafkaProxy(options: KafkaProxyOptions): Promise<KafkaProxy> {
  const host = options.host ?? '127.0.0.1';
  const stats = { connections: 0, logins: [] as string[], refusals: [] as string[], errors: [] as string[], held: 0, wokenByProduce: 0 };
  // Proxy-wide, as on a broker: a message produced on any connection answers Fetches held on any other.
  let produceAnswers = 0;
  const heldFetches = new Set<() => void>();
  const onProduced = (): void => {
    produceAnswers++;
    if (heldFetches.size > 0) stats.wokenByProduce++;
    const asks = [...heldFetches];
    heldFetches.clear();
    for (const ask of asks) ask();
  };
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const addresses = new Map<string, { host: string; port: number }>();
  const users = new Map(Object.entries(options.sasl?.users ?? {}));
  const map: AddressMapper = (brokerHost, brokerPort) => {
    const mapped = addresses.get(`${brokerHost}:${brokerPort}`);
    if (mapped) return mapped;
    stats.errors.push(`broker address ${brokerHost}:${brokerPort} is not one of the proxied upstreams`);
    return { host: brokerHost, port: brokerPort };
  };

  const serve = (client: Socket, upstreamAddress: string): void => {
    stats.connections++;
    const [upstreamHost, upstreamPort] = splitAddress(options.dial?.[upstreamAddress] ?? upstreamAddress);
    const upstream = connect({ host: upstreamHost, port: upstreamPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined); // a reset peer just ends the pair
    }
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);

    const pending: Pending[] = [];
    const fromClient = new FrameReader();
    const fromUpstream = new FrameReader();
    let authenticated = !options.sasl;
    let mechanism: SaslMechanismName | undefined;
    let exchange: SaslExchange | undefined;

    const flush = (): void => {
      while (pending[0]?.answer) client.write(frame((pending.shift() as Pending).answer as Buffer));
    };
    const fail = (problem: string): void => {
      stats.errors.push(problem);
      closeBoth();
    };
    const answerLocally = (entry: Pending, body: Buffer): void => {
      entry.answer = body;
      flush();
    };
    const releaseFetch = (fetch: HeldFetch | undefined): void => {
      if (!fetch) return;
      clearTimeout(fetch.timer);
      if (fetch.askAgain) heldFetches.delete(fetch.askAgain);
    };
    upstream.on('close', () => {
      for (const entry of pending) releaseFetch(entry.fetch);
    });
    const forwardFetch = (fetch: HeldFetch): void => {
      fetch.askedAtProduce = produceAnswers;
      upstream.write(frame(fetch.request));
    };
    /** True when an empty answer is held: the Fetch is asked again after the next Produce, or answered when its wait ends. */
    const holdFetch = (entry: Pending, fetch: HeldFetch, payload: Buffer): boolean => {
      const remaining = fetch.deadline - Date.now();
      if (remaining <= 0 || !isEmptyFetchResponse(payload, entry.apiVersion)) return false;
      if (fetch.askedAtProduce !== produceAnswers) {
        forwardFetch(fetch); // a message was produced while this one was asked
        return true;
      }
      stats.held++;
      const askAgain = (): void => {
        clearTimeout(fetch.timer);
        forwardFetch(fetch);
      };
      fetch.askAgain = askAgain;
      heldFetches.add(askAgain);
      fetch.timer = setTimeout(() => {
        heldFetches.delete(askAgain);
        answerLocally(entry, payload);
      }, remaining);
      return true;
    };

    const onRequest = (payload: Buffer): void => {
      const header = readRequestHeader(payload);
      const entry: Pending = { correlationId: header.correlationId, apiKey: header.apiKey, apiVersion: header.apiVersion };
      pending.push(entry);
      if (header.apiKey === API_KEYS.SaslHandshake && options.sasl && !authenticated) {
        const wanted = readSaslHandshakeRequest(header.body).toUpperCase() as SaslMechanismName;
        const enabled = options.sasl.mechanisms;
        mechanism = enabled.includes(wanted) ? wanted : undefined;
        exchange = undefined;
        answerLocally(entry, saslHandshakeResponse(header.correlationId, mechanism ? ERROR_CODES.NONE : ERROR_CODES.UNSUPPORTED_SASL_MECHANISM, enabled));
        return;
      }
      if (header.apiKey === API_KEYS.SaslAuthenticate && options.sasl && !authenticated) {
        if (!mechanism) {
          answerLocally(entry, saslAuthenticateResponse(header.correlationId, header.apiVersion, { errorCode: ERROR_CODES.ILLEGAL_SASL_STATE, errorMessage: 'SaslHandshake first', authBytes: Buffer.alloc(0) }));
          return;
        }
        exchange ??= startSaslExchange(mechanism, users);
        const step = exchange.step(readSaslAuthenticateRequest(header.body, header.apiVersion));
        if (step.kind === 'failed') {
          stats.refusals.push(`${mechanism}: ${step.reason}`);
          answerLocally(entry, saslAuthenticateResponse(header.correlationId, header.apiVersion, { errorCode: ERROR_CODES.SASL_AUTHENTICATION_FAILED, errorMessage: step.reason, authBytes: Buffer.alloc(0) }));
          // Like a broker: the connection ends after a failed login.
          client.end();
          return;
        }
        if (step.kind === 'done') {
          authenticated = true;
          stats.logins.push(step.user);
        }
        const authBytes = step.kind === 'done' ? step.final : step.challenge;
        answerLocally(entry, saslAuthenticateResponse(header.correlationId, header.apiVersion, { errorCode: ERROR_CODES.NONE, errorMessage: null, authBytes }));
        return;
      }
      if (!authenticated && header.apiKey !== API_KEYS.ApiVersions) {
        stats.refusals.push(`request ${header.apiKey} before SASL authentication`);
        closeBoth();
        return;
      }
      const maxWait = options.longPollFetch && header.apiKey === API_KEYS.Fetch ? fetchMaxWait(header.body, header.apiVersion) : null;
      if (maxWait !== null && maxWait > 0) {
        entry.fetch = { request: withFetchMaxWait(payload, header.body, 0), deadline: Date.now() + maxWait, askedAtProduce: produceAnswers };
        forwardFetch(entry.fetch);
        return;
      }
      upstream.write(frame(payload));
    };

    const onResponse = (payload: Buffer): void => {
      const correlationId = responseCorrelationId(payload);
      const entry = pending.find((candidate) => !candidate.answer && candidate.correlationId === correlationId);
      if (!entry) return fail(`answer ${correlationId} matches no request`);
      switch (entry.apiKey) {
        case API_KEYS.Metadata:
          entry.answer = rewriteMetadataResponse(payload, entry.apiVersion, map);
          break;
        case API_KEYS.FindCoordinator:
          entry.answer = rewriteFindCoordinatorResponse(payload, entry.apiVersion, map);
          break;
        case API_KEYS.ApiVersions:
          entry.answer = options.sasl
            ? addApiVersions(payload, entry.apiVersion, { [API_KEYS.SaslHandshake]: [0, 1], [API_KEYS.SaslAuthenticate]: [0, 1] })
            : payload;
          break;
        case API_KEYS.Fetch:
          if (entry.fetch && holdFetch(entry, entry.fetch, payload)) return;
          entry.answer = payload;
          break;
        case API_KEYS.Produce:
          entry.answer = payload;
          onProduced();
          break;
        default:
          entry.answer = payload;
      }
      flush();
    };

    const guarded = (handler: (payload: Buffer) => void, reader: FrameReader) => (chunk: Buffer) => {
      try {
        for (const payload of reader.push(chunk)) handler(payload);
      } catch (error) {
        fail(`kafka proxy: ${(error as Error).message}`);
      }
    };
    client.on('data', guarded(onRequest, fromClient));
    upstream.on('data', guarded(onResponse, fromUpstream));
  };

  for (const upstreamAddress of options.upstream) {
    const onConnection = (socket: Socket): void => serve(socket, upstreamAddress);
    const server = options.tls
      ? createTlsServer(
          {
            cert: options.tls.cert,
            key: options.tls.key,
            ...(options.tls.ca ? { ca: options.tls.ca } : {}),
            requestCert: options.tls.requireClientCertificate ?? false,
            rejectUnauthorized: options.tls.requireClientCertificate ?? false,
          },
          (socket: TLSSocket) => onConnection(socket),
        )
      : createTcpServer(onConnection);
    server.on('tlsClientError', (error: Error) => stats.refusals.push(`TLS: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    servers.push(server);
    addresses.set(upstreamAddress, { host, port: (server.address() as AddressInfo).port });
  }

  return {
    brokers: options.upstream.map((address) => {
      const mapped = addresses.get(address) as { host: string; port: number };
      return `${mapped.host}:${mapped.port}`;
    }),
    connections: () => stats.connections,
    logins: () => [...stats.logins],
    refusals: () => [...stats.refusals],
    errors: () => [...stats.errors],
    longPolls: () => ({ held: stats.held, wokenByProduce: stats.wokenByProduce }),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}

export { SASL_MECHANISM_NAMES, type SaslMechanismName };
