import type { JsonValue, StateChange } from '@dwcp/core'
import type { RaftStateMachine } from './types.js'

/** A command of the replicated key/value state, as it travels in the log (JSON). */
export type KvCommand = { op: 'set'; key: string; value: JsonValue } | { op: 'delete'; key: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Encodes a command as UTF-8 JSON. */
export function encodeKvCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command))
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

/**
 * The state machine behind the Raft replicator: a map from keys to JSON values. Its snapshot is the whole
 * map as JSON pairs sorted by key, so equal states give equal snapshots on every node.
 */
export class KvStateMachine implements RaftStateMachine {
  private entries = new Map<string, JsonValue>()
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
    if (command.op === 'set') {
      this.entries.set(command.key, command.value)
      this.notify({ key: command.key, value: structuredClone(command.value) })
    } else if (this.entries.delete(command.key)) {
      this.notify({ key: command.key, value: undefined })
    }
    return undefined
  }

  /** Empties the map without telling observers: a restarting host replays the log into it, and they hear that. */
  clear(): void {
    this.entries = new Map()
  }

  /** The whole map as sorted JSON pairs. */
  snapshot(): Uint8Array {
    const pairs = [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    // Buffer's UTF-8 encoder is about twice TextEncoder's speed on large strings; a snapshot of 100,000 keys
    // is tens of megabytes, encoded on the event loop. Returned as a plain Uint8Array view, no copy.
    const bytes = Buffer.from(JSON.stringify(pairs), 'utf8')
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /** Replaces the map with a snapshot's; observers hear of every key whose value differs. */
  restore(data: Uint8Array): void {
    const pairs = JSON.parse(decoder.decode(data)) as [string, JsonValue][]
    const previous = this.entries
    this.entries = new Map(pairs)
    for (const [key, value] of this.entries)
      if (JSON.stringify(previous.get(key)) !== JSON.stringify(value))
        this.notify({ key, value: structuredClone(value) })
    for (const key of previous.keys()) if (!this.entries.has(key)) this.notify({ key, value: undefined })
  }

  /** Calls `listener` for every applied change of a key starting with `prefix`; returns an unsubscribe. */
  observe(prefix: string, listener: (change: StateChange) => void): () => void {
    const observer = { prefix, listener }
    this.observers.add(observer)
    return () => {
      this.observers.delete(observer)
    }
  }

  private notify(change: StateChange): void {
    for (const { prefix, listener } of this.observers) {
      if (!change.key.startsWith(prefix)) continue
      try {
        listener(change)
      } catch (error) {
        this.onListenerError(error)
      }
    }
  }
}
