/**
 * The surface of the native addon `dwcp_rdma.node`, typed by hand, one part per concern. The loader checks every
 * required export before handing the binding out.
 */
import { CRC_EXPORTS, type CrcBinding } from './crc/binding.js'
import { SOCKETS_EXPORTS, type SocketsBinding } from './sockets/binding.js'
import { UCX_EXPORTS, type UcxBinding } from './ucx/binding.js'
import { VERBS_EXPORTS, type VerbsBinding } from './verbs/binding.js'

/** What the loaded addon exports. */
export interface NativeBinding extends VerbsBinding, SocketsBinding, UcxBinding, CrcBinding {
  /** Version of the native addon (its own, not the package's), e.g. `0.1.0`. */
  version(): string
}

/** Names of the functions every build of the addon must export; the loader checks each one. */
export const REQUIRED_EXPORTS: ReadonlyArray<keyof NativeBinding> = [
  'version',
  ...VERBS_EXPORTS,
  ...SOCKETS_EXPORTS,
  ...UCX_EXPORTS,
  ...CRC_EXPORTS,
]
