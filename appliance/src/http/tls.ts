/**
 * The appliance's own certificate authority and server certificate. On first start it makes a
 * CA (kept for ten years: workstation provisioning installs it) and a server certificate for
 * every name and address the box answers on; the server certificate is renewed when it nears
 * expiry or when the box gains a name or address it does not cover.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';

export interface TlsMaterial {
  key: string;
  cert: string;
  caCert: string;
  caFile: string;
}

const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

function rsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function serial(): string {
  // Positive 16-byte serial number.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

/** The names and addresses the server certificate must cover. */
export function certificateNames(extra: string[]): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1', os.hostname(), ...extra]);
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (!a.internal) names.add(a.address.split('%')[0]!);
  }
  return [...names].filter(Boolean).sort();
}

function makeCa(): { key: string; cert: string } {
  const { privateKeyPem, publicKeyPem } = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const subject = [
    { name: 'commonName', value: `KCC appliance CA ${os.hostname()}` },
    { name: 'organizationName', value: 'KCC contact center' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true, pathLenConstraint: 0 },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { key: privateKeyPem, cert: forge.pki.certificateToPem(cert) };
}

function makeServerCert(
  ca: { key: string; cert: string },
  names: string[],
): { key: string; cert: string } {
  const { privateKeyPem, publicKeyPem } = rsaKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  // 397 days: the longest validity browsers accept for a server certificate.
  cert.validity.notAfter = new Date(Date.now() + 397 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: os.hostname() }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { key: privateKeyPem, cert: forge.pki.certificateToPem(cert) };
}

function covers(certPem: string, names: string[]): boolean {
  const x = new X509Certificate(certPem);
  if (Date.parse(x.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
  return names.every((n) => (isIP(n) ? x.checkIP(n) !== undefined : x.checkHost(n) !== undefined));
}

/** Loads the CA and server certificate from `dir`, making or renewing what is missing. */
export async function ensureTls(
  dir: string,
  extraNames: string[],
): Promise<TlsMaterial & { renewed: boolean }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caFile = path.join(dir, 'ca.crt');
  const caKeyFile = path.join(dir, 'ca.key');
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  let ca: { key: string; cert: string };
  if (existsSync(caFile) && existsSync(caKeyFile)) {
    ca = { key: await readFile(caKeyFile, 'utf8'), cert: await readFile(caFile, 'utf8') };
  } else {
    ca = makeCa();
    await writeFile(caKeyFile, ca.key, { mode: 0o600 });
    await writeFile(caFile, ca.cert, { mode: 0o644 });
  }
  const names = certificateNames(extraNames);
  let renewed = false;
  let server: { key: string; cert: string } | null = null;
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = await readFile(certFile, 'utf8');
    if (covers(cert, names)) server = { key: await readFile(keyFile, 'utf8'), cert };
  }
  if (!server) {
    server = makeServerCert(ca, names);
    await writeFile(keyFile, server.key, { mode: 0o600 });
    await writeFile(certFile, server.cert, { mode: 0o644 });
    renewed = true;
  }
  return { key: server.key, cert: server.cert, caCert: ca.cert, caFile, renewed };
}
