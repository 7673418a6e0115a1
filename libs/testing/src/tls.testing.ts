import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM certificate and key, with the files that hold them (for *_FILE variables). */
export interface TestKeyPair {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestCertificates {
  readonly dir: string;
  /** The test CA: trust it to accept the server (and client) certificates. */
  readonly ca: string;
  readonly caFile: string;
  /** For 127.0.0.1 and localhost, signed by the CA. */
  readonly server: TestKeyPair;
  /** A client certificate signed by the CA (mutual TLS). */
  readonly client: TestKeyPair;
  remove(): void;
}

/**
 * A throw-away CA with a server and a client certificate, made by the openssl command in a
 * fresh temporary folder. Fails (never skips) when openssl is missing.
 */
export function createTestCertificates(prefix = 'oms-tls-'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`openssl ${args[0]} failed (the openssl command makes the test certificates): ${stderr || String(error)}`);
    }
  };
  // P-256 keys: generated in milliseconds, unlike RSA.
  const newKey = (name: string): void => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  const days = '2';

  newKey('ca.key');
  openssl(
    'req', '-x509', '-new', '-key', file('ca.key'), '-subj', '/CN=OMS test CA', '-days', days, '-out', file('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  );
  const issue = (name: string, subject: string, extensions: string): TestKeyPair => {
    newKey(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-subj', subject, '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
      '-set_serial', String(Date.now() + name.length), '-days', days, '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`),
    );
    return {
      cert: readFileSync(file(`${name}.pem`), 'utf8'),
      key: readFileSync(file(`${name}.key`), 'utf8'),
      certFile: file(`${name}.pem`),
      keyFile: file(`${name}.key`),
    };
  };
  const server = issue('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const client = issue('client', '/CN=oms-client', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: readFileSync(file('ca.pem'), 'utf8'),
    caFile: file('ca.pem'),
    server,
    client,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
