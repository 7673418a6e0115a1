import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { startSaslExchange, type SaslStep } from './sasl-server';

const users = new Map([['alice', 'pencil'], ['bob,=x', 'secret']]);

/** The client side of SCRAM (RFC 5802), as a Kafka client computes it. */
function scramClient(digest: 'sha256' | 'sha512', user: string, password: string) {
  const nonce = randomBytes(12).toString('base64');
  const bare = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`;
  const hmac = (key: Buffer, text: string) => createHmac(digest, key).update(text).digest();
  return {
    first: Buffer.from(`n,,${bare}`),
    final(serverFirst: string): { message: Buffer; expectedServer: string } {
      const fields = Object.fromEntries(serverFirst.split(',').map((part) => [part[0], part.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(fields['s'] as string, 'base64'), Number(fields['i']), digest === 'sha256' ? 32 : 64, digest);
      const withoutProof = `c=biws,r=${fields['r']}`;
      const authMessage = `${bare},${serverFirst},${withoutProof}`;
      const clientKey = hmac(salted, 'Client Key');
      const signature = hmac(createHash(digest).update(clientKey).digest(), authMessage);
      const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] as number))).toString('base64');
      return {
        message: Buffer.from(`${withoutProof},p=${proof}`),
        expectedServer: `v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}`,
      };
    },
  };
}

const challenge = (step: SaslStep): string => {
  if (step.kind !== 'continue') throw new Error(`expected a challenge, got ${step.kind}`);
  return step.challenge.toString();
};

describe('SASL server of the test proxy', () => {
  it('accepts PLAIN with the right password only', () => {
    expect(startSaslExchange('PLAIN', users).step(Buffer.from('\0alice\0pencil'))).toMatchObject({ kind: 'done', user: 'alice' });
    expect(startSaslExchange('PLAIN', users).step(Buffer.from('\0alice\0pen'))).toMatchObject({ kind: 'failed' });
    expect(startSaslExchange('PLAIN', users).step(Buffer.from('no separators'))).toEqual({ kind: 'failed', reason: 'malformed PLAIN message' });
  });

  it.each(['sha256', 'sha512'] as const)('completes SCRAM-%s and proves itself with the server signature', (digest) => {
    const mechanism = digest === 'sha256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512';
    const client = scramClient(digest, 'bob,=x', 'secret');
    const exchange = startSaslExchange(mechanism, users);
    const serverFirst = challenge(exchange.step(client.first));
    expect(serverFirst).toMatch(/^r=.+,s=.+,i=4096$/);
    const { message, expectedServer } = client.final(serverFirst);
    const done = exchange.step(message);
    expect(done).toMatchObject({ kind: 'done', user: 'bob,=x' });
    expect(done.kind === 'done' && done.final.toString()).toBe(expectedServer);
  });

  it('refuses SCRAM with a wrong password, an unknown user, a foreign nonce or a malformed message', () => {
    for (const [user, password] of [['alice', 'wrong'], ['nobody', 'pencil']]) {
      const client = scramClient('sha512', user, password);
      const exchange = startSaslExchange('SCRAM-SHA-512', users);
      const serverFirst = challenge(exchange.step(client.first));
      expect(exchange.step(client.final(serverFirst).message)).toEqual({
        kind: 'failed',
        reason: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      });
    }
    const exchange = startSaslExchange('SCRAM-SHA-256', users);
    challenge(exchange.step(scramClient('sha256', 'alice', 'pencil').first));
    expect(exchange.step(Buffer.from('c=biws,r=someone-else,p=AAAA'))).toMatchObject({ kind: 'failed', reason: 'malformed SCRAM-SHA-256 client-final message' });
    expect(startSaslExchange('SCRAM-SHA-256', users).step(Buffer.from('garbage'))).toMatchObject({ kind: 'failed' });
  });
});
