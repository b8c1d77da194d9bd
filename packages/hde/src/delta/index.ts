/**
 * Delta encoding of pages against the version the receiver holds, and the bounded baseline store both sides
 * keep those versions in. The package index re-exports this module.
 */
export { pageBaselineId } from './baseline-name.js'
export {
  type BaselineStoreStats,
  type BoundedBaselineStore,
  type BoundedBaselineStoreInit,
  boundedBaselineStore,
} from './baseline-store.js'
export {
  DEFAULT_DELTA_LEVEL,
  DEFAULT_DELTA_PAGE_BYTES,
  type DeltaCodecInit,
  deltaCodec,
} from './delta-codec.js'
export { decodePageAgainst, encodePageAgainst, type PageDeltaFrame } from './page-against.js'
export { decodeXbzrle, encodeXbzrle } from './xbzrle.js'
