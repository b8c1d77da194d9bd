import { UcxError } from '@dwcp/core'
import type { UcxEndpointHandle, UcxReceivedMessage } from './ucx-native.js'

/**
 * An in-memory stand-in for a UCX endpoint, for tests of the lanes without the addon: messages match posted
 * receives by exact tag, unmatched ones wait per tag (like UCX's unexpected queue), and a message longer than
 * the receive buffer fails with `UCS_ERR_MESSAGE_TRUNCATED`, as UCX does.
 */
export class FakeEndpoint implements UcxEndpointHandle {
  /** The endpoint that receives what this one sends. */
  peer: FakeEndpoint | undefined
  /** A fixed peer address. */
  readonly peerAddress = '127.0.0.1:9'
  /** Tags of every receive posted, in order. */
  readonly postedTags: number[] = []
  /** Completions of sends held back while {@link FakeEndpoint.holdSends} is set; call one to complete it. */
  readonly heldSends: Array<() => void> = []
  /** Whether sends stay uncompleted until released (the message itself is delivered at once). */
  holdSends = false
  /** Whether {@link FakeEndpoint.close} was called. */
  closed = false
  readonly #unexpected = new Map<number, Uint8Array[]>()
  readonly #posted = new Map<number, { complete: (bytes: Uint8Array) => void; reject: (e: Error) => void }>()
  readonly #errorListeners: Array<(error: Error) => void> = []

  async send(bytes: Uint8Array, tag: number): Promise<void> {
    if (this.closed) throw new UcxError('send', -1, 'UCS_ERR_NOT_CONNECTED')
    const copy = bytes.slice()
    queueMicrotask(() => this.peer?.deliver(copy, tag))
    if (this.holdSends) await new Promise<void>((resolve) => this.heldSends.push(resolve))
  }

  recv(into: Uint8Array, tag: number): Promise<UcxReceivedMessage> {
    this.postedTags.push(tag)
    return new Promise((resolve, reject) => {
      const complete = (bytes: Uint8Array): void => {
        if (bytes.byteLength > into.byteLength) reject(new UcxError('recv', -1, 'UCS_ERR_MESSAGE_TRUNCATED'))
        else {
          into.set(bytes)
          resolve({ lengthBytes: bytes.byteLength, tag })
        }
      }
      const queued = this.#unexpected.get(tag)?.shift()
      if (queued) complete(queued)
      else this.#posted.set(tag, { complete, reject })
    })
  }

  /** Takes a message from the peer: completes the matching receive or queues it as unexpected. */
  deliver(bytes: Uint8Array, tag: number): void {
    const posted = this.#posted.get(tag)
    if (posted) {
      this.#posted.delete(tag)
      posted.complete(bytes)
      return
    }
    const queue = this.#unexpected.get(tag) ?? []
    queue.push(bytes)
    this.#unexpected.set(tag, queue)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const posted of this.#posted.values()) posted.reject(new UcxError('recv', -1, 'UCS_ERR_CANCELED'))
    this.#posted.clear()
  }

  lanes(): Array<{ transport: string; device: string }> {
    return [
      { transport: 'cm:rdmacm', device: '' },
      { transport: 'tcp', device: 'lo' },
    ]
  }

  usesRdma(): boolean {
    return false
  }

  on(_event: 'error', listener: (error: Error) => void): void {
    this.#errorListeners.push(listener)
  }

  /** Reports `error` to the `error` listeners, as a failed UCX endpoint does. */
  fail(error: Error): void {
    for (const listener of this.#errorListeners) listener(error)
  }
}

/** Two fake endpoints connected to each other. */
export function fakePair(): [FakeEndpoint, FakeEndpoint] {
  const a = new FakeEndpoint()
  const b = new FakeEndpoint()
  a.peer = b
  b.peer = a
  return [a, b]
}
