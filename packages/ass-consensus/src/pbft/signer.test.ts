import { generateKeyPairSync } from 'node:crypto'
import { InvalidArgumentError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { isAuthentic, signed } from './certificates.js'
import { decodePbftMessage, encodePbftMessage } from './pbft-codec.js'
import { ed25519Signer, simulationSigners } from './signer.js'
import type { Prepare } from './types.js'

const prepare = (replica: number): Prepare => ({
  type: 'prepare',
  view: 2,
  seq: 17,
  digest: new Uint8Array(32).fill(5),
  replica,
  signature: new Uint8Array(),
})

describe('ed25519Signer', () => {
  const pairs = Array.from({ length: 4 }, () => generateKeyPairSync('ed25519'))
  const publics = pairs.map((p) => p.publicKey.export({ type: 'spki', format: 'pem' }).toString())
  const signers = pairs.map((p, i) =>
    ed25519Signer(
      i % 2 === 0 ? p.privateKey : p.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publics,
    ),
  )

  it('accepts a message signed by the replica it names, also after a trip over the wire', () => {
    const m = signed(signers[1]!, prepare(1))
    expect(isAuthentic(signers[3]!, m)).toBe(true)
    expect(isAuthentic(signers[3]!, decodePbftMessage(encodePbftMessage(m)) as Prepare)).toBe(true)
  })

  it('rejects a forged sender, an altered field, an altered byte on the wire and a garbage signature', () => {
    // Replica 2 signs a prepare that claims to come from replica 1.
    const forged = signed(signers[2]!, prepare(1))
    expect(isAuthentic(signers[0]!, forged)).toBe(false)
    const genuine = signed(signers[1]!, prepare(1))
    expect(isAuthentic(signers[0]!, { ...genuine, seq: 18 })).toBe(false)
    const wire = encodePbftMessage(genuine).slice()
    wire[10] = wire[10]! ^ 1
    expect(isAuthentic(signers[0]!, decodePbftMessage(wire) as Prepare)).toBe(false)
    expect(isAuthentic(signers[0]!, { ...genuine, signature: new Uint8Array(64) })).toBe(false)
    expect(isAuthentic(signers[0]!, { ...genuine, signature: new Uint8Array(3) })).toBe(false)
    expect(isAuthentic(signers[0]!, { ...genuine, replica: 9 })).toBe(false)
  })

  it('refuses a key of another type', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(() => ed25519Signer(privateKey, publics)).toThrow(InvalidArgumentError)
  })
})

describe('simulationSigners', () => {
  it('verifies each replica’s own signatures and no one else’s', () => {
    const signers = simulationSigners(4, 42)
    const m = signed(signers[2]!, prepare(2))
    expect(isAuthentic(signers[0]!, m)).toBe(true)
    expect(isAuthentic(signers[0]!, signed(signers[3]!, prepare(2)))).toBe(false)
    expect(isAuthentic(signers[0]!, { ...m, digest: new Uint8Array(32) })).toBe(false)
    // Another seed is another keyring.
    expect(isAuthentic(simulationSigners(4, 43)[0]!, m)).toBe(false)
  })
})
