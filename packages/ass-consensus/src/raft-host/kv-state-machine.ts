import type { JsonValue, StateChange } from '@dwcp/core'
import type { RaftStateMachine } from './types.js'

/** A command of the replicated key/value state, as it travels in the log (JSON). */
export type KvCommand = { op: 'set'; key: string; value: JsonValue } | { op: 'delete'; key: string }

const decoder = new TextDecoder()

/**
 * Encodes a command as UTF-8 JSON. The bytes come from Node's shared buffer pool (one ArrayBuffer per 8 KiB of
 * small commands, not one each): the leader keeps every command in its log until the next snapshot.
 */
export function encodeKvCommand(command: KvCommand): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(command), 'utf8')
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Decodes a command; `undefined` for anything that is not one (it is then applied as a no-op everywhere). */
export function decodeKvCommand(data: Uint8Array): KvCommand | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(decoder.decode(data))
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { op, key, value } = parsed as { op?: unknown; key?: unknown; value?: unknown }
  if (typeof key !== 'string') return undefined
  if (op === 'set' && value !== undefined) return { op, key, value: value as JsonValue }
  if (op === 'delete') return { op, key }
  return undefined
}

interface Observer {
  prefix: string
  listener: (change: StateChange) => void
}

/** Pairs serialized per step of {@link KvStateMachine.beginSnapshot} (a few milliseconds of work). */
const SNAPSHOT_STEP_PAIRS = 2_000
/** Bytes copied into the snapshot's buffer per step once every pair is serialized. */
const SNAPSHOT_COPY_STEP_BYTES = 4 * 2 ** 20

/**
 * The state machine behind the Raft replicator: a map from keys to JSON values. Its snapshot is the whole
 * map as JSON pairs sorted by key, so equal states give equal snapshots on every node.
 */
export class KvStateMachine implements RaftStateMachine {
  private entries = new Map<string, JsonValue>()
  /** While a stepwise snapshot runs: the values commands replaced since it began, by key. */
  private snapshotView: { replaced: Map<string, JsonValue | undefined> } | undefined
  private readonly observers = new Set<Observer>()

  /** @param onListenerError - receives what an observer threw; the other observers still run. */
  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Number of keys. */
  get size(): number {
    return this.entries.size
  }

  /** The value of `key` (a copy: callers cannot change the replicated state by mutating it). */
  get(key: string): JsonValue | undefined {
    const value = this.entries.get(key)
    return value === undefined ? undefined : structuredClone(value)
  }

  /** Applies a set or delete; malformed commands change nothing. Returns no result. */
  apply(data: Uint8Array, _index: number): undefined {
    const command = decodeKvCommand(data)
    if (!command) return undefined
    this.keepForSnapshot(command.key)
    if (command.op === 'set') {
      this.entries.set(command.key, command.value)
      this.notify(command.key, command.value)
    } else if (this.entries.delete(command.key)) {
      this.notify(command.key, undefined)
    }
    return undefined
  }

  /** Empties the map without telling observers: a restarting host replays the log into it, and they hear that. */
  clear(): void {
    this.entries = new Map()
    this.snapshotView = undefined
  }

  /** The whole map as sorted JSON pairs. */
  snapshot(): Uint8Array {
    const pairs = [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    // Buffer's UTF-8 encoder is about twice TextEncoder's speed on large strings; a snapshot of 100,000 keys
    // is tens of megabytes, encoded on the event loop. Returned as a plain Uint8Array view, no copy.
    const bytes = Buffer.from(JSON.stringify(pairs), 'utf8')
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /**
   * The snapshot in steps of {@link SNAPSHOT_STEP_PAIRS} pairs. Only the keys are taken (and sorted) at once;
   * values are read step by step, and a command applied meanwhile first saves the value it replaces, so every
   * step sees the state as of this call (copy on write). The bytes are those {@link snapshot} gave then.
   */
  beginSnapshot(): () => Uint8Array | undefined {
    const keys = [...this.entries.keys()].sort()
    const view = { replaced: new Map<string, JsonValue | undefined>() }
    this.snapshotView = view
    const parts: Buffer[] = [Buffer.from('[')]
    let next = 0
    // The last phase copies the parts into one buffer, a few megabytes per step.
    let out: Buffer | undefined
    let copiedParts = 0
    let copiedBytes = 0
    return () => {
      if (next < keys.length) {
        const pairs: [string, JsonValue | undefined][] = []
        for (const key of keys.slice(next, next + SNAPSHOT_STEP_PAIRS))
          pairs.push([key, view.replaced.has(key) ? view.replaced.get(key) : this.entries.get(key)])
        const slice = JSON.stringify(pairs)
        // The slice's own brackets are dropped: the pairs join the one array of the whole snapshot.
        parts.push(Buffer.from(`${next === 0 ? '' : ','}${slice.slice(1, -1)}`, 'utf8'))
        next += SNAPSHOT_STEP_PAIRS
        return undefined
      }
      if (out === undefined) {
        if (this.snapshotView === view) this.snapshotView = undefined
        parts.push(Buffer.from(']'))
        out = Buffer.allocUnsafe(parts.reduce((sum, part) => sum + part.byteLength, 0))
      }
      const stepEnd = copiedBytes + SNAPSHOT_COPY_STEP_BYTES
      while (copiedParts < parts.length && copiedBytes < stepEnd) {
        const part = parts[copiedParts++]!
        out.set(part, copiedBytes)
        copiedBytes += part.byteLength
      }
      if (copiedParts < parts.length) return undefined
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
    }
  }

  /** Replaces the map with a snapshot's; observers hear of every key whose value differs. */
  restore(data: Uint8Array): void {
    // A snapshot in progress describes a state this one replaces; the host does not use it (it covers less).
    this.snapshotView = undefined
    const pairs = JSON.parse(decoder.decode(data)) as [string, JsonValue][]
    const previous = this.entries
    this.entries = new Map(pairs)
    for (const [key, value] of this.entries)
      if (JSON.stringify(previous.get(key)) !== JSON.stringify(value)) this.notify(key, value)
    for (const key of previous.keys()) if (!this.entries.has(key)) this.notify(key, undefined)
  }

  /** Calls `listener` for every applied change of a key starting with `prefix`; returns an unsubscribe. */
  observe(prefix: string, listener: (change: StateChange) => void): () => void {
    const observer = { prefix, listener }
    this.observers.add(observer)
    return () => {
      this.observers.delete(observer)
    }
  }

  /** A command is about to change `key`: a snapshot in progress keeps the value it had. */
  private keepForSnapshot(key: string): void {
    const view = this.snapshotView
    if (view && !view.replaced.has(key)) view.replaced.set(key, this.entries.get(key))
  }

  /**
   * Tells the observers of `key` its new value, each its own copy (so none can change the state or another's
   * view); nothing is copied for a key no one observes, the common case on the write path.
   */
  private notify(key: string, value: JsonValue | undefined): void {
    for (const { prefix, listener } of this.observers) {
      if (!key.startsWith(prefix)) continue
      try {
        listener({ key, value: value === undefined ? undefined : structuredClone(value) })
      } catch (error) {
        this.onListenerError(error)
      }
    }
  }
}
