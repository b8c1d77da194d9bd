import { randomUUID } from 'node:crypto'
import {
  AbortedError,
  FrameCorruptError,
  type JsonValue,
  PeerUnreachableError,
  recordError,
  TimeoutError,
  TransferFailedError,
} from '@dwcp/core'
import * as v from 'valibot'
import type { DwcpNode } from '../node.js'

/** The AMST channel migration control messages travel on (small JSON messages, in order per session). */
export const MIGRATION_CHANNEL = 'migration'

/** Longest wait for a reply when the caller gives no timeout, in milliseconds. */
const DEFAULT_REPLY_TIMEOUT_MS = 30_000

/** A request body: `type` names the handler. */
export type ControlRequest = { type: string } & { [key: string]: JsonValue }

type Wire =
  | { kind: 'request'; reqId: string; body: ControlRequest }
  | { kind: 'reply'; reqId: string; ok: true; body: JsonValue }
  | { kind: 'reply'; reqId: string; ok: false; error: string }

/** Longest request id a peer may send (ours are UUIDs). */
const REQ_ID_MAX_CHARS = 64
/** Longest request type or error text a peer may send. */
const TEXT_MAX_CHARS = 4096

/**
 * What a control message must look like before anything reads it: a peer is not trusted to send JSON of the
 * right shape (`null`, an array, a request without a type).
 */
const WIRE_SCHEMA = v.variant('kind', [
  v.object({
    kind: v.literal('request'),
    reqId: v.pipe(v.string(), v.minLength(1), v.maxLength(REQ_ID_MAX_CHARS)),
    body: v.looseObject({ type: v.pipe(v.string(), v.minLength(1), v.maxLength(TEXT_MAX_CHARS)) }),
  }),
  v.object({
    kind: v.literal('reply'),
    reqId: v.pipe(v.string(), v.maxLength(REQ_ID_MAX_CHARS)),
    ok: v.literal(true),
    body: v.unknown(),
  }),
  v.object({
    kind: v.literal('reply'),
    reqId: v.pipe(v.string(), v.maxLength(REQ_ID_MAX_CHARS)),
    ok: v.literal(false),
    error: v.pipe(v.string(), v.maxLength(TEXT_MAX_CHARS)),
  }),
])

/** Handles one request type; what it returns is the reply, what it throws is sent back as the error. */
export type ControlHandler = (peer: string, request: ControlRequest) => Promise<JsonValue>

interface Pending {
  resolve: (body: JsonValue) => void
  reject: (error: Error) => void
}

/**
 * Request/reply over channel `migration`, one instance per node (see {@link controlFor}). A request fails when
 * the peer's session closes, the signal fires or no reply comes within the timeout, so a dead target never
 * leaves the source waiting.
 */
export class MigrationControl {
  readonly #node: DwcpNode
  readonly #pending = new Map<string, Pending>()
  readonly #handlers = new Map<string, ControlHandler>()

  constructor(node: DwcpNode) {
    this.#node = node
    node.on('message', (peer, channel, bytes) => {
      if (channel === MIGRATION_CHANNEL) this.#receive(peer, bytes)
    })
  }

  /** Serves requests of `type`; returns a function that stops serving them. */
  handle(type: string, handler: ControlHandler): () => void {
    this.#handlers.set(type, handler)
    return () => {
      if (this.#handlers.get(type) === handler) this.#handlers.delete(type)
    }
  }

  /** Sends `body` to `peer` and resolves with its reply. */
  async request(
    peer: string,
    body: ControlRequest,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<JsonValue> {
    const session = this.#node.session(peer)
    if (!session) throw new PeerUnreachableError(peer, 'no open session to this peer')
    const reqId = randomUUID()
    const cleanups: Array<() => void> = []
    const reply = new Promise<JsonValue>((resolve, reject) => {
      this.#pending.set(reqId, { resolve, reject })
      cleanups.push(
        session.on('close', () =>
          reject(new PeerUnreachableError(peer, `session closed during ${body.type}`)),
        ),
      )
      const timer = setTimeout(
        () =>
          reject(new TimeoutError(`migration ${body.type}`, options.timeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS)),
        options.timeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS,
      )
      cleanups.push(() => clearTimeout(timer))
      const signal = options.signal
      if (signal) {
        const onAbort = (): void => reject(new AbortedError(signal.reason))
        if (signal.aborted) onAbort()
        signal.addEventListener('abort', onAbort, { once: true })
        cleanups.push(() => signal.removeEventListener('abort', onAbort))
      }
    })
    try {
      await this.#send(peer, { kind: 'request', reqId, body })
      return await reply
    } finally {
      this.#pending.delete(reqId)
      for (const cleanup of cleanups) cleanup()
    }
  }

  #receive(peer: string, bytes: Uint8Array): void {
    const wire = parseWire(bytes)
    if (!wire) {
      // Not ours to fix: a malformed control message is dropped and counted, the requester times out.
      recordError(this.#node.metrics, 'migration', new FrameCorruptError('malformed control message'))
      return
    }
    if (wire.kind === 'reply') {
      const pending = this.#pending.get(wire.reqId)
      if (!pending) return
      if (wire.ok) pending.resolve(wire.body)
      else pending.reject(new TransferFailedError('migration', `peer ${peer}: ${wire.error}`))
      return
    }
    const handler = this.#handlers.get(wire.body.type)
    const answer = handler
      ? handler(peer, wire.body)
      : Promise.reject(new Error(`no handler for ${wire.body.type}`))
    answer.then(
      (body) => this.#send(peer, { kind: 'reply', reqId: wire.reqId, ok: true, body: body ?? null }),
      (error: unknown) =>
        this.#send(peer, {
          kind: 'reply',
          reqId: wire.reqId,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        }),
    )
  }

  async #send(peer: string, wire: Wire): Promise<void> {
    await this.#node
      .send(peer, MIGRATION_CHANNEL, new Uint8Array(Buffer.from(JSON.stringify(wire), 'utf8')))
      .catch((error: unknown) => {
        if (wire.kind === 'request') throw error
        // A reply to a peer that went away has no one to reach.
      })
  }
}

/** The control message in `bytes` when it is JSON of one of the three shapes, else undefined. */
function parseWire(bytes: Uint8Array): Wire | undefined {
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return undefined
  }
  const result = v.safeParse(WIRE_SCHEMA, json)
  return result.success ? (result.output as Wire) : undefined
}

const controls = new WeakMap<DwcpNode, MigrationControl>()

/** The node's control channel endpoint (created on first use). */
export function controlFor(node: DwcpNode): MigrationControl {
  let control = controls.get(node)
  if (!control) {
    control = new MigrationControl(node)
    controls.set(node, control)
  }
  return control
}
