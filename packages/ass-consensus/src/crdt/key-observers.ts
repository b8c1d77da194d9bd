import type { StateChange } from '@dwcp/core'

interface Observer {
  prefix: string
  listener: (change: StateChange) => void
}

/**
 * The `observe(prefix, listener)` registrations of a replicator. A listener that throws is reported and the
 * others still run: one faulty observer must not stop the replica from applying updates.
 */
export class KeyObservers {
  private readonly observers = new Set<Observer>()

  /** @param onListenerError - receives what a listener threw. */
  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Registers `listener` for keys starting with `prefix`; returns an unsubscribe function. */
  add(prefix: string, listener: (change: StateChange) => void): () => void {
    const observer = { prefix, listener }
    this.observers.add(observer)
    return () => {
      this.observers.delete(observer)
    }
  }

  /** Calls every listener whose prefix matches, each with its own copy of the value. */
  notify(change: StateChange): void {
    for (const { prefix, listener } of this.observers) {
      if (!change.key.startsWith(prefix)) continue
      try {
        listener({
          key: change.key,
          value: change.value === undefined ? undefined : structuredClone(change.value),
        })
      } catch (error) {
        this.onListenerError(error)
      }
    }
  }
}
