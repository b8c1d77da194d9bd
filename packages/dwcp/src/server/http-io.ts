import type { IncomingMessage, ServerResponse } from 'node:http'
import { isDwcpError } from '@dwcp/core'

/** Largest request body the API reads, in bytes: every request is a small JSON object. */
export const MAX_BODY_BYTES = 64 * 1024

/** Media type of streamed progress: one JSON object per line, the last one `{result}` or `{error}`. */
export const NDJSON = 'application/x-ndjson'

const JSON_TYPE = 'application/json; charset=utf-8'

/** An API failure with its HTTP status, a stable code and a message for the operator. */
export class HttpError extends Error {
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** Stable code (`unauthorized`, `not_leader`, a `DWCP_ERR_*` code…). */
    readonly code: string,
    message: string,
    /** Extra fields for the client (the leader's id, the key path…). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

/** The JSON body of a failed request, as the API sends it and the CLI reads it. */
export interface ErrorBody {
  error: string
  message: string
  [detail: string]: unknown
}

/** HTTP status of a DWCP error code: what the caller did wrong (4xx) or what is missing here (5xx). */
const STATUS_OF_CODE: Record<string, number> = {
  DWCP_ERR_CONFIG_INVALID: 400,
  DWCP_ERR_INVALID_ARGUMENT: 400,
  DWCP_ERR_STATE_CORRUPT: 422,
  DWCP_ERR_STATE_FOREIGN: 422,
  DWCP_ERR_NOT_LEADER: 409,
  DWCP_ERR_COMPONENT_ABSENT: 501,
  DWCP_ERR_NOT_STARTED: 503,
  DWCP_ERR_TIMEOUT: 504,
  DWCP_ERR_ABORTED: 503,
}

/** Maps anything thrown by a route to a status and a body; unknown errors are 500 with their message. */
export function errorReply(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof HttpError)
    return { status: error.status, body: { error: error.code, message: error.message, ...error.details } }
  if (isDwcpError(error)) {
    const data = (error as { data?: Record<string, unknown> }).data ?? {}
    let status = STATUS_OF_CODE[error.code] ?? 500
    if (error.code === 'DWCP_ERR_NOT_LEADER' && data.leader === undefined) status = 503
    return { status, body: { error: error.code, message: error.message, ...data } }
  }
  return {
    status: 500,
    body: { error: 'internal', message: error instanceof Error ? error.message : String(error) },
  }
}

/** Sends `value` as JSON with `status`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = `${JSON.stringify(value)}\n`
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

/**
 * Most bytes of a request body read and dropped when the request is refused or takes no body: reading it lets the
 * client, still sending, see the answer instead of a reset connection; beyond this the connection is cut.
 */
export const MAX_DISCARDED_BODY_BYTES = 16 * 1024 * 1024

/** Reads and drops what is left of a request's body (up to {@link MAX_DISCARDED_BODY_BYTES}). */
export function discardBody(req: IncomingMessage): void {
  if (req.readableEnded || req.destroyed) return
  let seen = 0
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length
    if (seen > MAX_DISCARDED_BODY_BYTES) req.destroy()
  })
  req.resume()
}

/**
 * Reads a JSON object body (empty: `{}`), bounded by {@link MAX_BODY_BYTES}. A larger body is read to its end
 * (and dropped, up to {@link MAX_DISCARDED_BODY_BYTES}) before the 413, so that the client gets the answer.
 */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  const total = await new Promise<number>((resolve, reject) => {
    let seen = 0
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length
      if (seen <= MAX_BODY_BYTES) chunks.push(chunk)
      else if (seen > MAX_DISCARDED_BODY_BYTES) req.destroy()
    })
    req.once('end', () => resolve(seen))
    req.once('error', reject)
    req.once('close', () => resolve(seen))
  })
  if (total > MAX_BODY_BYTES)
    throw new HttpError(413, 'body_too_large', `request body above ${MAX_BODY_BYTES} bytes`)
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new HttpError(400, 'bad_json', `request body is not JSON: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'bad_json', 'request body must be a JSON object')
  return value as Record<string, unknown>
}

/**
 * The reply of one request. A client that asks for {@link NDJSON} gets each progress step as a line as it
 * happens and the outcome as the last line; any other client gets one JSON body with the outcome's status.
 * Until the first progress line nothing is sent, so an early refusal keeps its HTTP status either way.
 */
export class Reply {
  readonly #res: ServerResponse
  readonly #streaming: boolean

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.#res = res
    this.#streaming = (req.headers.accept ?? '').includes(NDJSON)
  }

  /** Reports a step of a long operation. */
  progress(message: string, fields: Record<string, unknown> = {}): void {
    if (!this.#streaming || this.#res.destroyed) return
    if (!this.#res.headersSent)
      this.#res.writeHead(200, { 'content-type': NDJSON, 'cache-control': 'no-store' })
    this.#res.write(`${JSON.stringify({ progress: message, ...fields })}\n`)
  }

  /** Sends the outcome. */
  finish(result: unknown): void {
    if (this.#res.headersSent) this.#res.end(`${JSON.stringify({ result })}\n`)
    else sendJson(this.#res, 200, result)
  }

  /** Sends a failure. */
  fail(error: unknown): void {
    const { status, body } = errorReply(error)
    if (this.#res.headersSent) this.#res.end(`${JSON.stringify({ error: body })}\n`)
    else sendJson(this.#res, status, body, status === 401 ? { 'www-authenticate': 'Bearer' } : {})
  }
}

/** A string field of a request body, or a 400 naming it. */
export function stringField(
  body: Record<string, unknown>,
  name: string,
  required = true,
): string | undefined {
  const value = body[name]
  if (value === undefined && !required) return undefined
  if (typeof value !== 'string' || value === '')
    throw new HttpError(400, 'bad_request', `${name}: expected a non-empty string`, { field: name })
  return value
}
