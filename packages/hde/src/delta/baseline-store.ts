/**
 * A baseline store bounded in bytes, whose contents depend only on the sequence of `put` calls. A sender and a
 * receiver that apply the same puts in the same order (the order of the frames on the wire) therefore hold the
 * same set of baselines, and a delta the sender computes against a held baseline can be applied by the receiver.
 */
import { type BaselineStore, InvalidArgumentError } from '@dwcp/core'

/** Options of {@link boundedBaselineStore}. */
export interface BoundedBaselineStoreInit {
  /**
   * Most bytes of baselines held at once (the sum of their lengths). A baseline longer than this is not held
   * at all, and its id's previous version is dropped. For a migration, size it to the pages that may be sent
   * again: e.g. 256 MiB keeps 65 536 pages of 4 KiB.
   */
  maxBytes: number
}

/** Counters of a {@link BoundedBaselineStore}, for metrics and tests. */
export interface BaselineStoreStats {
  /** Sum of the lengths of the held baselines. */
  heldBytes: number
  /** Number of held baselines. */
  entries: number
  /** Baselines dropped to make room (an id replaced by `put` does not count; an oversized put does). */
  evictions: number
  /** The bound the store keeps `heldBytes` under. */
  maxBytes: number
}

/** A {@link BaselineStore} bounded in bytes, with deterministic eviction and counters. */
export interface BoundedBaselineStore extends BaselineStore {
  /** The held bytes, entries and evictions so far. */
  stats(): BaselineStoreStats
  /** Held ids, oldest put first (the order eviction follows). */
  ids(): string[]
}

/**
 * A {@link BaselineStore} that holds at most `maxBytes` of baselines, evicting the baseline put least recently
 * (FIFO by last `put`). Eviction depends only on the sequence of puts, never on `get` or `has` or on time, so
 * two stores fed the same puts in the same order hold the same ids; both sides of a transfer must apply their
 * puts in frame order (the delta codec does: the sender as it encodes, the receiver as it decodes).
 *
 * `put` copies the bytes, so the caller may reuse its buffer; `get` returns the held bytes, which the caller
 * must not modify.
 *
 * @example
 * ```ts
 * import { boundedBaselineStore } from '@dwcp/hde'
 *
 * const baselines = boundedBaselineStore({ maxBytes: 64 * 1024 * 1024 })
 * baselines.put('vm-1/0', new Uint8Array(4096))
 * baselines.has('vm-1/0') // true
 * baselines.stats() // { heldBytes: 4096, entries: 1, evictions: 0, maxBytes: 67108864 }
 * ```
 *
 * @throws InvalidArgumentError when `maxBytes` is not a non-negative integer
 */
export function boundedBaselineStore(init: BoundedBaselineStoreInit): BoundedBaselineStore {
  const { maxBytes } = init
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new InvalidArgumentError('maxBytes', `${maxBytes} is not a non-negative integer`)
  }
  // A Map iterates in insertion order; deleting before setting moves an id to the back, which makes the
  // front the baseline put least recently.
  const held = new Map<string, Uint8Array>()
  let heldBytes = 0
  let evictions = 0

  function drop(id: string, bytes: Uint8Array): void {
    held.delete(id)
    heldBytes -= bytes.length
  }

  return {
    get(id: string): Uint8Array | undefined {
      return held.get(id)
    },

    has(id: string): boolean {
      return held.has(id)
    },

    put(id: string, bytes: Uint8Array): void {
      const previous = held.get(id)
      if (previous !== undefined) drop(id, previous)
      if (bytes.length > maxBytes) {
        // Keeping the previous version would leave a stale baseline under this id: it is gone either way.
        evictions++
        return
      }
      if (heldBytes + bytes.length > maxBytes) {
        for (const [oldestId, oldest] of held) {
          if (heldBytes + bytes.length <= maxBytes) break
          drop(oldestId, oldest)
          evictions++
        }
      }
      held.set(id, new Uint8Array(bytes)) // a copy, also of a Buffer
      heldBytes += bytes.length
    },

    stats(): BaselineStoreStats {
      return { heldBytes, entries: held.size, evictions, maxBytes }
    },

    ids(): string[] {
      return [...held.keys()]
    },
  }
}
