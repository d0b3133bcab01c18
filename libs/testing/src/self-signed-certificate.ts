import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface SelfSignedCertificate {
  keyFile: string;
  certFile: string;
  key: string;
  /** PEM of the certificate: what a client trusts (`ca`, or NODE_EXTRA_CA_CERTS=certFile). */
  cert: string;
}

/**
 * A throwaway self-signed certificate for 127.0.0.1 and localhost (openssl, 2 days), written into
 * `dir`: the TLS servers of the test harness (Dovecot, the fake X API) present it.
 */
export function createSelfSignedCertificate(dir: string): SelfSignedCertificate {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { keyFile, certFile, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}
