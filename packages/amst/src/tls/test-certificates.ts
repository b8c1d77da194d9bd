/**
 * Certificates for tests, generated with the `openssl` CLI into a temporary directory: a CA, a server and two
 * clients it signs, and a second CA with a client of its own. EC P-256 keys keep generation fast.
 * Test support only: not exported from the package.
 */

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A certificate and its key, as files and as PEM text. */
export interface TestIdentity {
  /** Path of the certificate. */
  readonly certFile: string
  /** Path of the private key. */
  readonly keyFile: string
  /** The certificate, PEM. */
  readonly cert: string
  /** The private key, PEM. */
  readonly key: string
}

/** Everything {@link createTestCertificates} made. */
export interface TestCertificates {
  /** The temporary directory holding the files. */
  readonly dir: string
  /** The CA certificate file that signs the server and the first two clients. */
  readonly caFile: string
  /** A second, unrelated CA certificate file. */
  readonly foreignCaFile: string
  /** `CN=node-1.datacenter.local,O=DWCP`, signed by the CA. */
  readonly server: TestIdentity
  /** `CN=node-2.datacenter.local,O=DWCP`, signed by the CA. */
  readonly allowedClient: TestIdentity
  /** `CN=node-a.datacenter.local,O=DWCP`, signed by the CA: node `node-a` of the compliance suite. */
  readonly nodeA: TestIdentity
  /** `CN=node-b.datacenter.local,O=DWCP`, signed by the CA: node `node-b` of the compliance suite. */
  readonly nodeB: TestIdentity
  /** `CN=intruder.example.org,O=DWCP`, signed by the CA. */
  readonly intruderClient: TestIdentity
  /** `CN=node-3.datacenter.local,O=DWCP`, signed by the foreign CA. */
  readonly foreignClient: TestIdentity
  /** Deletes the directory. */
  remove(): void
}

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc']

/** Validity of generated certificates, in days. */
const VALIDITY_DAYS = '2'

function openssl(args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: Buffer }
    if (code === 'ENOENT') throw new Error('the openssl CLI is not installed (apt-get install openssl)')
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr?.toString() ?? String(error)}`)
  }
}

function identity(certFile: string, keyFile: string): TestIdentity {
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }
}

function makeCa(dir: string, config: string, name: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.crt`)
  const keyFile = join(dir, `${name}.key`)
  openssl([
    'req',
    '-config',
    config,
    '-x509',
    ...EC_KEY,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    `/O=DWCP/CN=DWCP ${name}`,
    '-days',
    VALIDITY_DAYS,
    '-extensions',
    'ca_ext',
  ])
  return { certFile, keyFile }
}

function makeLeaf(
  dir: string,
  config: string,
  ca: { certFile: string; keyFile: string },
  name: string,
  commonName: string,
): TestIdentity {
  const certFile = join(dir, `${name}.crt`)
  const keyFile = join(dir, `${name}.key`)
  openssl([
    'req',
    '-config',
    config,
    '-x509',
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    ...EC_KEY,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    `/O=DWCP/CN=${commonName}`,
    '-days',
    VALIDITY_DAYS,
    '-extensions',
    'leaf_ext',
    '-addext',
    `subjectAltName=DNS:${commonName}`,
  ])
  return identity(certFile, keyFile)
}

/** Generates the test certificates; call {@link TestCertificates.remove} when done. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'dwcp-tls-'))
  try {
    const config = join(dir, 'openssl.cnf')
    writeFileSync(config, OPENSSL_CONFIG)
    const ca = makeCa(dir, config, 'test-ca')
    const foreignCa = makeCa(dir, config, 'foreign-ca')
    return {
      dir,
      caFile: ca.certFile,
      foreignCaFile: foreignCa.certFile,
      server: makeLeaf(dir, config, ca, 'server', 'node-1.datacenter.local'),
      allowedClient: makeLeaf(dir, config, ca, 'allowed-client', 'node-2.datacenter.local'),
      nodeA: makeLeaf(dir, config, ca, 'node-a', 'node-a.datacenter.local'),
      nodeB: makeLeaf(dir, config, ca, 'node-b', 'node-b.datacenter.local'),
      intruderClient: makeLeaf(dir, config, ca, 'intruder-client', 'intruder.example.org'),
      foreignClient: makeLeaf(dir, config, foreignCa, 'foreign-client', 'node-3.datacenter.local'),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}
