/** One client operation on a key/value store, as recorded by a test: what was asked, what came back, when. */
export interface KvOperation {
  /** Client that issued it (operations of one client never overlap). */
  client: string
  kind: 'put' | 'get'
  key: string
  /** The value written (put) or read (get); `undefined` for a get that found nothing. */
  value: string | undefined
  /** Time the call was issued, in any monotonic unit shared by the whole history. */
  callAt: number
  /** Time the reply arrived; `Number.POSITIVE_INFINITY` for an operation that never returned (a timeout). */
  returnAt: number
}

/** The verdict on a history. */
export interface LinearizabilityResult {
  ok: boolean
  /** The first key whose operations admit no linearization (when `ok` is false). */
  key?: string
  /** States explored, over all keys (the search's cost). */
  explored: number
}
