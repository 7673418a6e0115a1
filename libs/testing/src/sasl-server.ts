import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';

/** The server side of SASL PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, RFC 7677), for the test proxy. */

export type SaslMechanismName = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SASL_MECHANISM_NAMES: readonly SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

export type SaslStep =
  /** Send `challenge` back and wait for the client's next message. */
  | { readonly kind: 'continue'; readonly challenge: Buffer }
  /** Authenticated as `user`; `final` is the server's last message (SCRAM's signature). */
  | { readonly kind: 'done'; readonly user: string; readonly final: Buffer }
  | { readonly kind: 'failed'; readonly reason: string };

export interface SaslExchange {
  step(message: Buffer): SaslStep;
}

const SCRAM_ITERATIONS = 4096; // kafkajs refuses fewer

/** Starts one authentication with `mechanism` against `users` (name -> password). */
export function startSaslExchange(mechanism: SaslMechanismName, users: ReadonlyMap<string, string>): SaslExchange {
  return mechanism === 'PLAIN' ? plainExchange(users) : scramExchange(mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', users);
}

function plainExchange(users: ReadonlyMap<string, string>): SaslExchange {
  return {
    step(message) {
      // [authzid] NUL authcid NUL passwd
      const [, user, password] = message.toString('utf8').split('\u0000');
      if (user === undefined || password === undefined) return { kind: 'failed', reason: 'malformed PLAIN message' };
      return sameSecret(users.get(user), password) ? { kind: 'done', user, final: Buffer.alloc(0) } : failed('PLAIN');
    },
  };
}

function scramExchange(digest: 'sha256' | 'sha512', users: ReadonlyMap<string, string>): SaslExchange {
  const mechanism = `SCRAM-${digest.toUpperCase().replace('SHA', 'SHA-')}`;
  const keyLength = digest === 'sha256' ? 32 : 64;
  const hmac = (key: Buffer, text: string): Buffer => createHmac(digest, key).update(text).digest();
  const hash = (data: Buffer): Buffer => createHash(digest).update(data).digest();
  let first: { bare: string; serverFirst: string; user: string; nonce: string; salt: Buffer } | undefined;
  return {
    step(message) {
      const text = message.toString('utf8');
      if (!first) {
        // client-first: gs2-header ("n,,") then "n=<user>,r=<nonce>"
        const match = /^[nyp][^,]*,[^,]*,(n=([^,]*),r=([^,]+).*)$/.exec(text);
        if (!match) return { kind: 'failed', reason: `malformed ${mechanism} client-first message` };
        const user = match[2].replace(/=2C/g, ',').replace(/=3D/g, '=');
        const nonce = `${match[3]}${randomBytes(18).toString('base64')}`;
        const salt = randomBytes(16);
        const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${SCRAM_ITERATIONS}`;
        first = { bare: match[1], serverFirst, user, nonce, salt };
        return { kind: 'continue', challenge: Buffer.from(serverFirst) };
      }
      // client-final: "c=<channel binding>,r=<nonce>,p=<proof>"
      const match = /^(c=[^,]*,r=([^,]*)),p=([A-Za-z0-9+/=]+)$/.exec(text);
      if (!match || match[2] !== first.nonce) return { kind: 'failed', reason: `malformed ${mechanism} client-final message` };
      const password = users.get(first.user);
      // An unknown user gets the same answer as a wrong password.
      const salted = pbkdf2Sync(password ?? randomBytes(16).toString('hex'), first.salt, SCRAM_ITERATIONS, keyLength, digest);
      const authMessage = `${first.bare},${first.serverFirst},${match[1]}`;
      const storedKey = hash(hmac(salted, 'Client Key'));
      const proof = Buffer.from(match[3], 'base64');
      const signature = hmac(storedKey, authMessage);
      if (password === undefined || proof.length !== signature.length) return failed(mechanism);
      const clientKey = Buffer.from(proof.map((byte, i) => byte ^ (signature[i] as number)));
      if (!timingSafeEqual(hash(clientKey), storedKey)) return failed(mechanism);
      const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
      return { kind: 'done', user: first.user, final: Buffer.from(`v=${serverSignature.toString('base64')}`) };
    },
  };
}

function sameSecret(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Kafka's own wording for a refused login. */
const failed = (mechanism: string): SaslStep => ({
  kind: 'failed',
  reason: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`,
});
