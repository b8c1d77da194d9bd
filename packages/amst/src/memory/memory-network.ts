import { AddressInUseError, InvalidArgumentError } from '@dwcp/core'

/** What a listener on a {@link MemoryNetwork} does with a dial. */
export type MemoryAcceptor = (dial: unknown) => unknown

/** Scheme of in-memory addresses: `memory://<name>`. */
export const MEMORY_SCHEME = 'memory://'

/**
 * A namespace of in-memory addresses: transports on the same network can dial each other. Tests make their own
 * network; nodes that don't name one share {@link defaultMemoryNetwork}.
 */
export class MemoryNetwork {
  readonly #listeners = new Map<string, MemoryAcceptor>()
  #counter = 0

  /** Binds `address`; `memory://` alone picks a fresh name. Returns the bound address. */
  bind(address: string, acceptor: MemoryAcceptor): string {
    const bound = address === MEMORY_SCHEME ? `${MEMORY_SCHEME}auto-${++this.#counter}` : address
    parseMemoryAddress(bound)
    if (this.#listeners.has(bound)) throw new AddressInUseError(bound)
    this.#listeners.set(bound, acceptor)
    return bound
  }

  /** Releases an address bound by this acceptor. */
  unbind(address: string, acceptor: MemoryAcceptor): void {
    if (this.#listeners.get(address) === acceptor) this.#listeners.delete(address)
  }

  /** The acceptor at `address`, if any. */
  lookup(address: string): MemoryAcceptor | undefined {
    return this.#listeners.get(address)
  }
}

/** Validates a `memory://name` address and returns the name. */
export function parseMemoryAddress(address: string): string {
  if (typeof address !== 'string' || !address.startsWith(MEMORY_SCHEME))
    throw new InvalidArgumentError('address', `${String(address)} is not a ${MEMORY_SCHEME} address`)
  const name = address.slice(MEMORY_SCHEME.length)
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(name))
    throw new InvalidArgumentError('address', `${address}: the name must be 1..128 of [A-Za-z0-9._:-]`)
  return name
}

/** The network shared by every in-memory transport that does not name its own. */
export const defaultMemoryNetwork = new MemoryNetwork()
