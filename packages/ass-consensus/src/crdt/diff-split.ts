import * as Y from 'yjs'

/** What {@link encodeBoundedDiff} produced. */
export interface BoundedDiff {
  /** Updates to send, each at most `maxUpdateBytes`; applying all of them gives the requester the full diff. */
  parts: Uint8Array[]
  /** Yjs client ids with one struct (one written value) larger than the bound: sent up to that struct only. */
  refusedClients: number[]
  /** Whether the delete set alone exceeded the bound (and was not sent). */
  deleteSetRefused: boolean
}

/** Bytes of a range part around its structs: client count, struct count, client id, clock, empty delete set. */
const RANGE_HEADER_BYTES_MAX = 1 + 5 + 5 + 8 + 1

/**
 * The anti-entropy answer to a state vector: `Y.encodeStateAsUpdate(doc, theirVector)`, split when it exceeds
 * `maxUpdateBytes`. Yjs has no call that cuts an update by size, so an oversized diff is re-encoded from the
 * document's struct store, in the same v1 layout Yjs writes: for each client, runs of consecutive structs
 * (from the requester's clock on) that fit the bound, one run per part, and the delete set in a part of its
 * own. The requester applies parts in any order: Yjs holds a struct whose dependency has not arrived yet until
 * it does. Only one struct larger than the bound on its own (a single written value that big) cannot be sent:
 * its client is reported, and that client's later structs are held back too (they would wait for it forever).
 * `set()` refuses such values, so only a peer with a larger bound can have made one.
 *
 * @throws whatever Yjs throws for a malformed `theirVector` (the caller treats it as a hostile message).
 */
export function encodeBoundedDiff(doc: Y.Doc, theirVector: Uint8Array, maxUpdateBytes: number): BoundedDiff {
  const full = Y.encodeStateAsUpdate(doc, theirVector)
  if (full.byteLength <= maxUpdateBytes) return { parts: [full], refusedClients: [], deleteSetRefused: false }
  const theirs = Y.decodeStateVector(theirVector)
  const parts: Uint8Array[] = []
  const refusedClients: number[] = []
  for (const [client, structs] of doc.store.clients) {
    const last = structs[structs.length - 1]
    const theirClock = theirs.get(client) ?? 0
    if (last === undefined || last.id.clock + last.length <= theirClock) continue
    if (!splitClient(client, structs, theirClock, maxUpdateBytes, parts)) refusedClients.push(client)
  }
  // Our full vector as the target: no structs, only the (whole) delete set.
  const deletes = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc))
  const deleteSetRefused = deletes.byteLength > maxUpdateBytes
  if (!deleteSetRefused) parts.push(deletes)
  return { parts, refusedClients, deleteSetRefused }
}

/** Appends `client`'s structs from `fromClock` on to `parts`, in runs that fit; false when one struct cannot. */
function splitClient(
  client: number,
  structs: (Y.Item | Y.GC)[],
  fromClock: number,
  maxUpdateBytes: number,
  parts: Uint8Array[],
): boolean {
  const firstClock = Math.max(fromClock, structs[0]!.id.clock)
  let start = Y.findIndexSS(structs, firstClock)
  let startClock = firstClock
  while (start < structs.length) {
    let end = start
    let bytes = RANGE_HEADER_BYTES_MAX
    while (end < structs.length) {
      const structBytes = encodeRange(
        client,
        structs,
        end === start ? startClock : structs[end]!.id.clock,
        end,
        end + 1,
      ).byteLength
      if (end > start && bytes + structBytes > maxUpdateBytes) break
      bytes += structBytes
      end++
      if (bytes > maxUpdateBytes) return false
    }
    parts.push(encodeRange(client, structs, startClock, start, end))
    start = end
    startClock = structs[start]?.id.clock ?? 0
  }
  return true
}

/** Encodes structs `[start, end)` of `client`, the first from `fromClock`, as a v1 update without deletes. */
function encodeRange(
  client: number,
  structs: (Y.Item | Y.GC)[],
  fromClock: number,
  start: number,
  end: number,
): Uint8Array {
  const encoder = new Y.UpdateEncoderV1()
  // The layout of Yjs's writeClientsStructs and writeDeleteSet, for one client (all varints in v1).
  encoder.writeLen(1)
  encoder.writeLen(end - start)
  encoder.writeClient(client)
  encoder.writeLen(fromClock)
  const first = structs[start]!
  first.write(encoder, fromClock - first.id.clock)
  for (let i = start + 1; i < end; i++) structs[i]!.write(encoder, 0)
  encoder.writeLen(0)
  return encoder.toUint8Array()
}
