/** A map from event name to the listener's argument list. */
export type EventMap<E> = { [K in keyof E]: unknown[] }

/** A listener of event `K`. */
export type Listener<E extends EventMap<E>, K extends keyof E> = (...args: E[K]) => void

/**
 * A small typed event emitter. A listener that throws does not stop the others, and its error never reaches
 * the emitter's caller or the process: it goes to {@link Emitter.listenerFailed}, which components that have a
 * logger and metrics override to log it and count it in `dwcp_errors_total` (a peer's message that trips a
 * listener must not take a node down); by default it becomes a process warning.
 */
export class Emitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Set<Listener<E, keyof E>>>()

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    let set = this.#listeners.get(event)
    if (!set) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener as Listener<E, keyof E>)
    return () => this.off(event, listener)
  }

  /** Adds a listener called at most once. */
  once<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    const off = this.on(event, ((...args: E[K]) => {
      off()
      listener(...args)
    }) as Listener<E, K>)
    return off
  }

  /** Removes a listener. */
  off<K extends keyof E>(event: K, listener: Listener<E, K>): void {
    this.#listeners.get(event)?.delete(listener as Listener<E, keyof E>)
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof E>(event: K): number {
    return this.#listeners.get(event)?.size ?? 0
  }

  /** Removes every listener (used on close so a closed object pins nothing). */
  protected removeAllListeners(): void {
    this.#listeners.clear()
  }

  /** Calls every listener of `event` with `args`; returns whether there was any. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.#listeners.get(event)
    if (!set || set.size === 0) return false
    for (const listener of [...set]) {
      try {
        listener(...args)
      } catch (error) {
        this.reportListenerError(error, event)
      }
    }
    return true
  }

  /**
   * Called with the error of a listener of `event` that threw. Override it to log and count the error; the
   * default emits a process warning (never an uncaught exception).
   */
  protected listenerFailed(error: unknown, event: keyof E): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.emitWarning(`a listener of ${String(event)} threw: ${message}`, 'DwcpListenerWarning')
  }

  /** Hands a listener's error to {@link listenerFailed}; a failing override is contained too. */
  private reportListenerError(error: unknown, event: keyof E): void {
    try {
      this.listenerFailed(error, event)
    } catch {
      // The error handler itself failed (a closed log stream): nothing else is safe to do.
    }
  }
}
