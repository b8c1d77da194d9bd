import { createHash } from 'node:crypto'
import { InvalidArgumentError } from '@dwcp/core'
import onnxProto from 'onnx-proto'

// onnx-proto is a CommonJS module whose namespace Node cannot detect as a named export: take it off the default.
const { onnx } = onnxProto

/** `metadata_props` key holding the file format version of a PBA model. */
export const FORMAT_KEY = 'dwcp.pba.format'
/** The format version this code writes and reads. */
export const FORMAT_VERSION = '1'
/** `metadata_props` key holding the model metadata as JSON. */
export const METADATA_KEY = 'dwcp.pba.metadata'
/** `metadata_props` key holding the feature normalisation as JSON. */
export const NORMALIZATION_KEY = 'dwcp.pba.normalization'
/** `metadata_props` key holding the SHA-256 of the model's canonical encoding without this entry. */
export const DIGEST_KEY = 'dwcp.pba.sha256'
/** Largest model file accepted, so a wrong file cannot make the loader allocate without bound. */
export const MODEL_BYTES_MAX = 64 * 1024 * 1024

/** A decoded model whose digest matched, and the exact bytes the digest covers. */
export interface OpenedModel {
  /** The decoded model, digest entry removed. */
  model: InstanceType<typeof onnx.ModelProto>
  /** The canonical encoding of `model`: what was verified, and what the runtime should load. */
  canonical: Uint8Array
  /** `metadata_props` as a map. */
  props: Map<string, string>
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Encodes `model` with a SHA-256 of its canonical encoding appended as the last `metadata_props` entry. The
 * digest covers every field, weights and metadata alike, so a flipped bit in a weight (which would still load
 * and silently predict something else) is caught like any other corruption.
 */
export function sealModel(
  model: InstanceType<typeof onnx.ModelProto> | Parameters<typeof onnx.ModelProto.encode>[0],
): Uint8Array {
  const props = (model.metadataProps ?? []).filter((entry) => entry.key !== DIGEST_KEY)
  const body = onnx.ModelProto.encode({ ...model, metadataProps: props }).finish()
  const digest = { key: DIGEST_KEY, value: sha256Hex(body) }
  return onnx.ModelProto.encode({ ...model, metadataProps: [...props, digest] }).finish()
}

/**
 * Decodes a sealed PBA model and checks its digest. The digest is recomputed over a fresh encoding of what
 * was decoded, so whatever the bytes were, a model passes only if its content equals what was sealed.
 *
 * @throws InvalidArgumentError (`model`) when the bytes are not an ONNX protobuf, carry no PBA format entry, a
 *   format version this code does not read, or a digest that does not match
 */
export function openSealedModel(bytes: Uint8Array): OpenedModel {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('model', 'must be a Uint8Array')
  if (bytes.length === 0) throw new InvalidArgumentError('model', 'is empty')
  if (bytes.length > MODEL_BYTES_MAX)
    throw new InvalidArgumentError(
      'model',
      `is ${bytes.length} bytes, more than the ${MODEL_BYTES_MAX} accepted`,
    )
  let model: InstanceType<typeof onnx.ModelProto>
  try {
    model = onnx.ModelProto.decode(bytes)
  } catch (error) {
    throw new InvalidArgumentError(
      'model',
      `not an ONNX model: the protobuf does not decode (${describe(error)})`,
    )
  }
  const entries = model.metadataProps ?? []
  const props = new Map<string, string>()
  for (const entry of entries) {
    if (typeof entry.key !== 'string' || typeof entry.value !== 'string' || props.has(entry.key))
      throw new InvalidArgumentError(
        'model',
        'metadata_props holds an entry without key or value, or a duplicate key',
      )
    props.set(entry.key, entry.value)
  }
  const format = props.get(FORMAT_KEY)
  if (format === undefined)
    throw new InvalidArgumentError('model', `not a DWCP PBA model: metadata_props has no ${FORMAT_KEY} entry`)
  if (format !== FORMAT_VERSION)
    throw new InvalidArgumentError(
      'model',
      `format version ${format} is not supported (this code reads ${FORMAT_VERSION})`,
    )
  const expected = props.get(DIGEST_KEY)
  if (expected === undefined || entries[entries.length - 1]?.key !== DIGEST_KEY)
    throw new InvalidArgumentError(
      'model',
      `the ${DIGEST_KEY} entry is missing or not the last metadata entry`,
    )
  props.delete(DIGEST_KEY)
  model.metadataProps = entries.slice(0, -1)
  let canonical: Uint8Array
  try {
    canonical = onnx.ModelProto.encode(model).finish()
  } catch (error) {
    throw new InvalidArgumentError('model', `decoded content does not re-encode (${describe(error)})`)
  }
  if (sha256Hex(canonical) !== expected)
    throw new InvalidArgumentError(
      'model',
      'integrity check failed: the content does not match its SHA-256 (corrupt or modified file)',
    )
  return { model, canonical, props }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
