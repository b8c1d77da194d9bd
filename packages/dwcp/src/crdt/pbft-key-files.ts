/**
 * PBFT's Ed25519 keys from the files a config names (`consensus.private_key_file`,
 * `cluster.members[].public_key_file`), read when the server starts, each problem a config error at the key
 * that names the file, so an operator learns which file is wrong before any member signs anything.
 */

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { ConfigInvalidError } from '@dwcp/core'
import type { PbftKeyFiles } from '../config/to-node-options.js'
import type { PbftKeys } from '../raft/cluster-options.js'

/** Largest key file read: an Ed25519 PEM is about 120 bytes, so anything near this is not a key. */
const MAX_KEY_FILE_BYTES = 16 * 1024

function readPem(path: string, keyPath: string): string {
  try {
    // Checked before reading so that a path naming a huge file is refused, not loaded.
    const info = statSync(path)
    if (!info.isFile()) throw new Error('not a regular file')
    if (info.size > MAX_KEY_FILE_BYTES) throw new Error(`${info.size} bytes is too large for a key`)
    return readFileSync(path, 'utf8')
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message
    throw new ConfigInvalidError(keyPath, `cannot read ${path}: ${reason}`)
  }
}

function ed25519(key: KeyObject, path: string, keyPath: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ConfigInvalidError(
      keyPath,
      `${path} holds an ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`,
    )
  return key
}

/**
 * Reads and checks the key files: the private key must be Ed25519 and must match this member's public key
 * file (else its messages would fail every other member's check).
 *
 * @param nodeId - this member, whose public key file must match the private key
 * @param memberIds - the members in `cluster.members` order, for the key paths of reasons
 * @throws ConfigInvalidError at `consensus.private_key_file` or `cluster.members[i].public_key_file`
 */
export function readPbftKeyFiles(
  files: PbftKeyFiles,
  nodeId: string,
  memberIds: readonly string[],
): PbftKeys {
  const privatePath = 'consensus.private_key_file'
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(readPem(files.privateKeyFile, privatePath))
  } catch (error) {
    if (error instanceof ConfigInvalidError) throw error
    throw new ConfigInvalidError(privatePath, `${files.privateKeyFile} is not a PEM private key`)
  }
  ed25519(privateKey, files.privateKeyFile, privatePath)
  const publicKeys: Record<string, KeyObject> = {}
  memberIds.forEach((id, index) => {
    const keyPath = `cluster.members[${index}].public_key_file`
    const path = files.publicKeyFiles[id]
    if (path === undefined) throw new ConfigInvalidError(keyPath, 'required with PBFT')
    let key: KeyObject
    try {
      key = createPublicKey(readPem(path, keyPath))
    } catch (error) {
      if (error instanceof ConfigInvalidError) throw error
      throw new ConfigInvalidError(keyPath, `${path} is not a PEM public key`)
    }
    publicKeys[id] = ed25519(key, path, keyPath)
  })
  const own = publicKeys[nodeId]
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' })
  if (own && !derived.equals(own.export({ type: 'spki', format: 'der' })))
    throw new ConfigInvalidError(
      privatePath,
      `${files.privateKeyFile} does not match this member's public key file (${files.publicKeyFiles[nodeId]})`,
    )
  return { privateKey, publicKeys }
}
