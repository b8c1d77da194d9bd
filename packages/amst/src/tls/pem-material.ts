/**
 * Reading and checking the PEM files (or inline PEM strings) a TLS configuration names, so that a missing,
 * unreadable or garbled file fails at configuration time with the key path that names it.
 */

import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { ConfigInvalidError } from '@dwcp/core'

/** Largest PEM file read, in bytes: certificates and keys are a few KiB, CA bundles a few hundred. */
export const MAX_PEM_FILE_BYTES = 1024 * 1024

/** PKCS#8 encrypted keys, and legacy PEM encryption headers. */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,\s*ENCRYPTED/

const ENCRYPTED_REASON = 'the private key is encrypted; give an unencrypted key'

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/** Where one piece of PEM material comes from: a file or an inline string, and the key paths naming each. */
export interface PemSource {
  /** Path of the file, if configured. */
  readonly file: string | undefined
  /** Inline PEM, if configured. */
  readonly inline: string | undefined
  /** Key path of the file setting, e.g. `tls.cert_file`. */
  readonly fileKeyPath: string
  /** Key path of the inline setting, e.g. `tls.cert`. */
  readonly inlineKeyPath: string
}

/** PEM text together with the key path it came from. */
export interface LoadedPem {
  /** The PEM text. */
  readonly pem: string
  /** The key path that supplied it, for later errors. */
  readonly keyPath: string
}

function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && typeof message === 'string') return `${code}: ${message}`
    if (typeof message === 'string') return message
  }
  return String(error)
}

/**
 * Reads a PEM file, refusing anything that is not a regular file of at most {@link MAX_PEM_FILE_BYTES}.
 *
 * @throws {@link ConfigInvalidError} naming `keyPath` when the file is missing, unreadable or too large
 */
export function readPemFile(path: string, keyPath: string): string {
  if (typeof path !== 'string' || path.length === 0)
    throw new ConfigInvalidError(keyPath, 'expected a file path')
  try {
    const stats = statSync(path)
    if (!stats.isFile()) throw new ConfigInvalidError(keyPath, `${path} is not a regular file`)
    if (stats.size > MAX_PEM_FILE_BYTES)
      throw new ConfigInvalidError(keyPath, `${path} is ${stats.size} bytes, more than ${MAX_PEM_FILE_BYTES}`)
    return readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof ConfigInvalidError) throw error
    throw new ConfigInvalidError(keyPath, `cannot read ${path}: ${reasonOf(error)}`)
  }
}

/**
 * Loads one piece of PEM material from exactly one of its file or inline settings.
 *
 * @throws {@link ConfigInvalidError} when both or neither are set, or the file cannot be read
 */
export function loadPem(source: PemSource): LoadedPem {
  const { file, inline, fileKeyPath, inlineKeyPath } = source
  if (file !== undefined && inline !== undefined)
    throw new ConfigInvalidError(inlineKeyPath, `set either ${fileKeyPath} or ${inlineKeyPath}, not both`)
  if (inline !== undefined) {
    if (typeof inline !== 'string' || inline.length > MAX_PEM_FILE_BYTES)
      throw new ConfigInvalidError(
        inlineKeyPath,
        `expected a PEM string of at most ${MAX_PEM_FILE_BYTES} bytes`,
      )
    return { pem: inline, keyPath: inlineKeyPath }
  }
  if (file === undefined) throw new ConfigInvalidError(fileKeyPath, 'required when tls.enabled is true')
  return { pem: readPemFile(file, fileKeyPath), keyPath: fileKeyPath }
}

/**
 * Parses every `CERTIFICATE` block of `loaded`.
 *
 * @throws {@link ConfigInvalidError} when there is none or one does not parse
 */
export function parseCertificates(loaded: LoadedPem): X509Certificate[] {
  const blocks = loaded.pem.match(CERTIFICATE_BLOCK) ?? []
  if (blocks.length === 0) throw new ConfigInvalidError(loaded.keyPath, 'no PEM certificate found')
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block)
    } catch (error) {
      throw new ConfigInvalidError(loaded.keyPath, `certificate ${index + 1} is garbled: ${reasonOf(error)}`)
    }
  })
}

/**
 * Parses the private key in `loaded`. Encrypted keys are refused: there is no passphrase setting.
 *
 * @throws {@link ConfigInvalidError} when the key is absent, garbled or encrypted
 */
export function parsePrivateKey(loaded: LoadedPem): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(loaded.pem))
    throw new ConfigInvalidError(loaded.keyPath, 'no PEM private key found')
  if (ENCRYPTED_KEY.test(loaded.pem)) throw new ConfigInvalidError(loaded.keyPath, ENCRYPTED_REASON)
  try {
    return createPrivateKey({ key: loaded.pem, format: 'pem' })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_MISSING_PASSPHRASE') throw new ConfigInvalidError(loaded.keyPath, ENCRYPTED_REASON)
    throw new ConfigInvalidError(loaded.keyPath, `the private key is garbled: ${reasonOf(error)}`)
  }
}
