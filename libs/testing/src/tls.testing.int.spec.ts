import { X509Certificate } from 'node:crypto';
import { selfSignedCertificate, testPki } from './tls.testing';

describe('test certificates (openssl)', () => {
  it('makes a self-signed certificate for localhost and 127.0.0.1', () => {
    const pair = selfSignedCertificate('server');
    const cert = new X509Certificate(pair.cert);
    expect(cert.subject).toBe('CN=server');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(pair.key).toMatch(/-----BEGIN PRIVATE KEY-----/);
  });

  it('makes a CA and a leaf it signed', () => {
    const pki = testPki();
    const ca = new X509Certificate(pki.ca);
    const leaf = new X509Certificate(pki.cert);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('localhost')).toBe('localhost');
  });
});
