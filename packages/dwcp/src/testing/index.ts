/**
 * Test support for hosts of DWCP nodes: a hostile peer that attacks a node on every channel, to check that a
 * node (with the host's own listeners and workloads) survives Byzantine members. Exported as `dwcp/testing`.
 */
export {
  API_PATHS,
  type HostileHttpOptions,
  type HostileHttpReport,
  runHostileHttp,
} from './hostile-http.js'
export { HOSTILE_KINDS, type HostileKind, HostileMessages } from './hostile-messages.js'
export {
  type HostilePeerOptions,
  type HostilePeerReport,
  NODE_CHANNELS,
  runHostilePeer,
} from './hostile-peer.js'
