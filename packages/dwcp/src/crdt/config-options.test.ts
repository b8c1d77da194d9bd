import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { expectConfigError } from '../config/test-fixtures/expect-config-error.js'
import { tempDir } from '../server/test-fixtures/harness.js'
import { antiEntropyIntervalFor, DEFAULT_ANTI_ENTROPY_INTERVAL_MS } from './internet-state.js'
import { readPbftKeyFiles } from './pbft-key-files.js'

const temp = tempDir('pbft-keys')
afterAll(() => temp.remove())

function keyPair(name: string, type: 'ed25519' | 'ec' = 'ed25519') {
  const { privateKey, publicKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const privateFile = join(temp.dir, `${name}.key`)
  const publicFile = join(temp.dir, `${name}.pub`)
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }))
  return { privateFile, publicFile }
}

describe('sync.convergence_timeout → the anti-entropy cadence', () => {
  it('fits k·H(k) random exchanges in half the bound, never slower than the default nor faster than 10 ms', () => {
    expect(antiEntropyIntervalFor(undefined, 3)).toBeUndefined()
    expect(antiEntropyIntervalFor(30_000, 0)).toBeUndefined()
    // 3 peers: 3 · (1 + 1/2 + 1/3) = 5.5 exchanges; 30 s / 2 / 5.5 ≈ 2.7 s, so the default 1 s holds.
    expect(antiEntropyIntervalFor(30_000, 3)).toBe(DEFAULT_ANTI_ENTROPY_INTERVAL_MS)
    expect(antiEntropyIntervalFor(2000, 3)).toBe(181)
    expect(antiEntropyIntervalFor(1, 3)).toBe(10)
  })
})

describe('PBFT key files', () => {
  const a = keyPair('a')
  const b = keyPair('b')
  const files = { privateKeyFile: a.privateFile, publicKeyFiles: { a: a.publicFile, b: b.publicFile } }

  it('reads Ed25519 keys into the signer keys', () => {
    const keys = readPbftKeyFiles(files, 'a', ['a', 'b'])
    expect(Object.keys(keys.publicKeys)).toEqual(['a', 'b'])
  })

  it('refuses a missing file, a non-Ed25519 key and a private key that is not this member’s', () => {
    expectConfigError(
      () => readPbftKeyFiles({ ...files, privateKeyFile: join(temp.dir, 'absent.key') }, 'a', ['a', 'b']),
      'consensus.private_key_file',
      /cannot read .*absent\.key: ENOENT/,
    )
    const ec = keyPair('ec', 'ec')
    expectConfigError(
      () =>
        readPbftKeyFiles({ ...files, publicKeyFiles: { a: a.publicFile, b: ec.publicFile } }, 'a', [
          'a',
          'b',
        ]),
      'cluster.members[1].public_key_file',
      /holds an ec key, not Ed25519/,
    )
    expectConfigError(
      () => readPbftKeyFiles({ ...files, privateKeyFile: b.privateFile }, 'a', ['a', 'b']),
      'consensus.private_key_file',
      /does not match this member's public key file/,
    )
    const garbage = join(temp.dir, 'garbage.pub')
    writeFileSync(garbage, 'not a key')
    expectConfigError(
      () => readPbftKeyFiles({ ...files, publicKeyFiles: { a: a.publicFile, b: garbage } }, 'a', ['a', 'b']),
      'cluster.members[1].public_key_file',
      /is not a PEM public key/,
    )
  })
})
