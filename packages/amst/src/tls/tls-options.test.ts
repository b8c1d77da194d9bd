import { createPrivateKey } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDwcpError } from '@dwcp/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_PEM_FILE_BYTES } from './pem-material.js'
import { createTestCertificates, type TestCertificates } from './test-certificates.js'
import {
  clientTlsOptions,
  requirePlaintextExplicit,
  resolveTlsConfig,
  serverTlsOptions,
  type TlsConfig,
} from './tls-options.js'

let certs: TestCertificates

beforeAll(() => {
  certs = createTestCertificates()
})

afterAll(() => {
  certs?.remove()
})

function baseConfig(overrides: Partial<TlsConfig> = {}): TlsConfig {
  return {
    enabled: true,
    certFile: certs.server.certFile,
    keyFile: certs.server.keyFile,
    caFile: certs.caFile,
    allowedSubjects: ['CN=node-*.datacenter.local'],
    ...overrides,
  }
}

function writeFixture(name: string, text: string): string {
  const path = join(certs.dir, name)
  writeFileSync(path, text)
  return path
}

/** Runs `action` and returns the key path and reason of the ConfigInvalidError it throws. */
function configError(action: () => unknown): { keyPath: string; reason: string } {
  try {
    action()
  } catch (error) {
    expect(isDwcpError(error, 'DWCP_ERR_CONFIG_INVALID'), String(error)).toBe(true)
    return (error as unknown as { data: { keyPath: string; reason: string } }).data
  }
  throw new Error('expected a ConfigInvalidError, nothing was thrown')
}

describe('requirePlaintextExplicit', () => {
  it('refuses to guess when TLS is not configured at all', () => {
    expect(configError(() => requirePlaintextExplicit(undefined)).keyPath).toBe('tls')
    expect(configError(() => requirePlaintextExplicit(null)).keyPath).toBe('tls')
  })

  it('returns false only when plaintext is asked for, true when TLS is on', () => {
    expect(requirePlaintextExplicit({ enabled: false })).toBe(false)
    expect(requirePlaintextExplicit(baseConfig())).toBe(true)
  })

  it('refuses an enabled flag that is not a boolean', () => {
    const config = { enabled: 'false' } as unknown as TlsConfig
    expect(configError(() => requirePlaintextExplicit(config)).keyPath).toBe('tls.enabled')
  })
})

describe('serverTlsOptions and clientTlsOptions', () => {
  it('speak TLS 1.3 only and demand and verify client certificates', () => {
    const server = serverTlsOptions(baseConfig())
    expect(server).toMatchObject({
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      requestCert: true,
      rejectUnauthorized: true,
      cert: certs.server.cert,
      key: certs.server.key,
    })
    expect(server.ca).toContain('BEGIN CERTIFICATE')
    expect(server.ciphers).toBeUndefined()
    const client = clientTlsOptions(baseConfig())
    expect(client).toMatchObject({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', rejectUnauthorized: true })
    expect(client.servername).toBeUndefined()
  })

  it('accept inline PEM instead of files', () => {
    const config = baseConfig({
      certFile: undefined,
      keyFile: undefined,
      caFile: undefined,
      cert: certs.server.cert,
      key: certs.server.key,
      ca: certs.server.cert,
    })
    expect(serverTlsOptions(config).cert).toBe(certs.server.cert)
  })

  it('do not ask for a client certificate when clientCertRequired is false', () => {
    expect(serverTlsOptions(baseConfig({ clientCertRequired: false }))).toMatchObject({
      requestCert: false,
      rejectUnauthorized: false,
    })
  })

  it('accept a resolved configuration as is', () => {
    const resolved = resolveTlsConfig(baseConfig())
    expect(resolveTlsConfig(resolved)).toBe(resolved)
    expect(serverTlsOptions(resolved).cert).toBe(certs.server.cert)
    expect(resolved.allowList.map((pattern) => pattern.source)).toEqual(['CN=node-*.datacenter.local'])
  })

  it('check the server name only when one is given', () => {
    const named = clientTlsOptions(baseConfig(), { servername: 'node-1.datacenter.local' })
    expect(named.servername).toBe('node-1.datacenter.local')
    const cert = { subject: { CN: 'node-9.datacenter.local' }, subjectaltname: 'DNS:node-9.datacenter.local' }
    expect(named.checkServerIdentity?.('127.0.0.1', cert as never)).toBeInstanceOf(Error)
    const unnamed = clientTlsOptions(baseConfig())
    expect(unnamed.checkServerIdentity?.('127.0.0.1', cert as never)).toBeUndefined()
  })

  it('refuse to build options when TLS is disabled', () => {
    expect(() => serverTlsOptions({ enabled: false })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
  })
})

describe('tls.min_version', () => {
  it.each(['TLSv1.3', '1.3'])('accepts %s', (minVersion) => {
    expect(serverTlsOptions(baseConfig({ minVersion })).minVersion).toBe('TLSv1.3')
  })

  it.each(['TLSv1.2', '1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'])('refuses %s as below TLS 1.3', (minVersion) => {
    const error = configError(() => serverTlsOptions(baseConfig({ minVersion })))
    expect(error.keyPath).toBe('tls.min_version')
    expect(error.reason).toMatch(/below TLSv1\.3/)
  })

  it('refuses an unknown version', () => {
    expect(configError(() => clientTlsOptions(baseConfig({ minVersion: 'TLSv9' }))).reason).toMatch(/unknown/)
  })
})

describe('tls.cipher_suites', () => {
  it('passes TLS 1.3 suites through, in order, deduplicated', () => {
    const options = serverTlsOptions(
      baseConfig({
        cipherSuites: ['TLS_AES_256_GCM_SHA384', 'tls_aes_128_gcm_sha256', 'TLS_AES_256_GCM_SHA384'],
      }),
    )
    expect(options.ciphers).toBe('TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256')
  })

  it('refuses a TLS 1.2 suite, naming its index', () => {
    const error = configError(() =>
      serverTlsOptions(
        baseConfig({ cipherSuites: ['TLS_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'] }),
      ),
    )
    expect(error.keyPath).toBe('tls.cipher_suites[1]')
    expect(error.reason).toMatch(/not a TLS 1\.3 cipher suite/)
  })

  it('refuses an empty list', () => {
    expect(configError(() => serverTlsOptions(baseConfig({ cipherSuites: [] }))).keyPath).toBe(
      'tls.cipher_suites',
    )
  })
})

describe('PEM material', () => {
  it('names a missing file', () => {
    const error = configError(() => serverTlsOptions(baseConfig({ certFile: join(certs.dir, 'absent.crt') })))
    expect(error.keyPath).toBe('tls.cert_file')
    expect(error.reason).toMatch(/cannot read .*ENOENT/)
  })

  it('refuses a directory and an oversized file', () => {
    const dir = join(certs.dir, 'a-directory')
    mkdirSync(dir, { recursive: true })
    expect(configError(() => serverTlsOptions(baseConfig({ caFile: dir }))).reason).toMatch(
      /not a regular file/,
    )
    const big = writeFixture('big.pem', 'x'.repeat(MAX_PEM_FILE_BYTES + 1))
    expect(configError(() => serverTlsOptions(baseConfig({ caFile: big }))).reason).toMatch(/more than/)
  })

  it('refuses a file with no certificate, and a garbled certificate', () => {
    const text = writeFixture('text.crt', 'hello\n')
    expect(configError(() => serverTlsOptions(baseConfig({ certFile: text })))).toEqual({
      keyPath: 'tls.cert_file',
      reason: 'no PEM certificate found',
    })
    const garbled = writeFixture(
      'garbled.crt',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    )
    const error = configError(() => serverTlsOptions(baseConfig({ caFile: garbled })))
    expect(error.keyPath).toBe('tls.ca_file')
    expect(error.reason).toMatch(/certificate 1 is garbled/)
  })

  it('refuses a key file without a key, a garbled key and an encrypted key', () => {
    const noKey = configError(() => serverTlsOptions(baseConfig({ keyFile: certs.server.certFile })))
    expect(noKey).toEqual({ keyPath: 'tls.key_file', reason: 'no PEM private key found' })
    const garbled = writeFixture(
      'garbled.key',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    )
    expect(configError(() => serverTlsOptions(baseConfig({ keyFile: garbled }))).reason).toMatch(/garbled/)
    const encrypted = createPrivateKey(certs.server.key).export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    })
    const error = configError(() =>
      serverTlsOptions(baseConfig({ keyFile: undefined, key: String(encrypted) })),
    )
    expect(error).toEqual({
      keyPath: 'tls.key',
      reason: 'the private key is encrypted; give an unencrypted key',
    })
  })

  it('refuses a key that does not belong to the certificate', () => {
    const error = configError(() => serverTlsOptions(baseConfig({ keyFile: certs.allowedClient.keyFile })))
    expect(error.keyPath).toBe('tls.key_file')
    expect(error.reason).toMatch(/does not belong to the certificate in tls.cert_file/)
  })

  it('refuses both a file and an inline value, and neither', () => {
    expect(configError(() => serverTlsOptions(baseConfig({ cert: certs.server.cert }))).keyPath).toBe(
      'tls.cert',
    )
    expect(configError(() => serverTlsOptions(baseConfig({ caFile: undefined })))).toEqual({
      keyPath: 'tls.ca_file',
      reason: 'required when tls.enabled is true',
    })
  })
})

describe('authentication.allowed_subjects', () => {
  it('is required when TLS is enabled', () => {
    expect(configError(() => serverTlsOptions(baseConfig({ allowedSubjects: undefined }))).keyPath).toBe(
      'authentication.allowed_subjects',
    )
    expect(configError(() => serverTlsOptions(baseConfig({ allowedSubjects: [] }))).reason).toMatch(/CN=\*/)
  })

  it('names a malformed entry by index', () => {
    const error = configError(() =>
      serverTlsOptions(baseConfig({ allowedSubjects: ['CN=node-*', 'node-2'] })),
    )
    expect(error.keyPath).toBe('authentication.allowed_subjects[1]')
  })
})
