import { readFileSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'

/** How the CLI reaches the server. */
export interface ClientOptions {
  /** Base URL. @default http://127.0.0.1:8080 */
  server: string
  /** File with the bearer token (`server.auth_token_file` of the server). */
  tokenFile?: string | undefined
  /** Client certificate, key and CA for the HTTPS port. */
  cert?: string | undefined
  key?: string | undefined
  ca?: string | undefined
  /** Called with each progress line a long operation streams. */
  onProgress?: (progress: Record<string, unknown>) => void
}

/** A refusal or failure reported by the server (or the connection), with the server's message. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, 0 when the server was not reached. */
    readonly status: number,
    /** The error body's fields. */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

/** Longest wait for any reply, in ms: long operations stream progress, so silence this long means trouble. */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000

/**
 * Calls the API and returns the result. Asks for streamed progress (NDJSON) and passes each progress line to
 * `onProgress`; the last line is the result or the error.
 *
 * @throws ApiError with the server's message on any non-2xx status, error line, or connection failure
 */
export function callApi(
  options: ClientOptions,
  method: 'GET' | 'POST',
  path: string,
  body?: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const url = new URL(path, options.server.endsWith('/') ? options.server : `${options.server}/`)
  const payload = body === undefined ? undefined : JSON.stringify(body)
  const headers: Record<string, string> = { accept: 'application/x-ndjson, application/json' }
  if (payload !== undefined) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = String(Buffer.byteLength(payload))
  }
  if (options.tokenFile) headers.authorization = `Bearer ${readFileSync(options.tokenFile, 'utf8').trim()}`
  const tls =
    url.protocol === 'https:'
      ? {
          ...(options.cert ? { cert: readFileSync(options.cert) } : {}),
          ...(options.key ? { key: readFileSync(options.key) } : {}),
          ...(options.ca ? { ca: readFileSync(options.ca) } : {}),
          // The server is identified by the CA that signed it; its certificate names a node, not the URL's host.
          checkServerIdentity: () => undefined,
          minVersion: 'TLSv1.3' as const,
        }
      : {}
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, timeout: IDLE_TIMEOUT_MS, ...tls }, (res) => {
      void readReply(res, options).then(resolve, reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no reply from ${url.origin} in ${IDLE_TIMEOUT_MS} ms`)))
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ApiError(`cannot reach the dwcp server at ${url.origin}: ${error.code ?? error.message}`, 0),
      ),
    )
    req.end(payload)
  })
}

async function readReply(res: IncomingMessage, options: ClientOptions): Promise<Record<string, unknown>> {
  const status = res.statusCode ?? 0
  const streaming = (res.headers['content-type'] ?? '').includes('application/x-ndjson')
  let buffered = ''
  let last: Record<string, unknown> | undefined
  const take = (line: string) => {
    if (line.trim() === '') return
    const value = parseLine(line, status)
    if (streaming && 'progress' in value) options.onProgress?.(value)
    else last = value
  }
  for await (const chunk of res as AsyncIterable<Buffer>) {
    buffered += chunk.toString('utf8')
    if (!streaming) continue
    let newline = buffered.indexOf('\n')
    while (newline >= 0) {
      take(buffered.slice(0, newline))
      buffered = buffered.slice(newline + 1)
      newline = buffered.indexOf('\n')
    }
  }
  take(buffered)
  if (last === undefined)
    throw new ApiError(`the server closed the reply without a result (HTTP ${status})`, status)
  if (streaming) {
    if (last.error !== undefined) throw toApiError(last.error as Record<string, unknown>, status)
    return (last.result ?? {}) as Record<string, unknown>
  }
  if (status < 200 || status >= 300) throw toApiError(last, status)
  return last
}

function parseLine(line: string, status: number): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    throw new ApiError(`unexpected reply (HTTP ${status}): ${line.slice(0, 200)}`, status)
  }
}

function toApiError(body: Record<string, unknown>, status: number): ApiError {
  const message = typeof body.message === 'string' ? body.message : JSON.stringify(body)
  const code = typeof body.error === 'string' ? body.error : `HTTP ${status}`
  return new ApiError(`${message} (${code})`, status, body)
}
