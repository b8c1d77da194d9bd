import { EventEmitter } from 'eventemitter3'

/** A map from event name to the listener's argument list. */
export type EventMap<E> = { [K in keyof E]: unknown[] }

/** A listener of event `K`. */
export type Listener<E extends EventMap<E>, K extends keyof E> = (...args: E[K]) => void

/**
 * A typed event emitter over eventemitter3 (fast emits, no allocation per call). A listener that throws does
 * not stop the others, and its error never reaches the emitter's caller or the process: it goes to {@link Emitter.listenerFailed}, which components that have a
 * logger and metrics override to log it and count it in `dwcp_errors_total` (a peer's message that trips a
 * listener must not take a node down); by default it becomes a process warning.
 */
export class Emitter<E extends EventMap<E>> {
  readonly #events = new EventEmitter()
  /** The wrapper registered for each listener of each event, so that `off` finds it. */
  readonly #wrappers = new Map<keyof E, Map<Listener<E, keyof E>, (...args: unknown[]) => void>>()

  /** Adds a listener (once per event: adding it again changes nothing); returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    let wrappers = this.#wrappers.get(event)
    if (!wrappers) {
      wrappers = new Map()
      this.#wrappers.set(event, wrappers)
    }
    const key = listener as Listener<E, keyof E>
    if (!wrappers.has(key)) {
      const wrapped = (...args: unknown[]): void => {
        try {
          listener(...(args as E[K]))
        } catch (error) {
          this.reportListenerError(error, event)
        }
      }
      wrappers.set(key, wrapped)
      this.#events.on(event as string | symbol, wrapped)
    }
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
    const wrappers = this.#wrappers.get(event)
    const wrapped = wrappers?.get(listener as Listener<E, keyof E>)
    if (!wrappers || !wrapped) return
    wrappers.delete(listener as Listener<E, keyof E>)
    this.#events.off(event as string | symbol, wrapped)
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof E>(event: K): number {
    return this.#events.listenerCount(event as string | symbol)
  }

  /** Removes every listener (used on close so a closed object pins nothing). */
  protected removeAllListeners(): void {
    this.#events.removeAllListeners()
    this.#wrappers.clear()
  }

  /** Calls every listener of `event` with `args`; returns whether there was any. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    return this.#events.emit(event as string | symbol, ...args)
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
