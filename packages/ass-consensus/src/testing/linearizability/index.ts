export { checkLinearizable } from './check-linearizable.js'
export type { KvOperation, LinearizabilityResult } from './kv-history.js'
