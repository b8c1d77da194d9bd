// The load generator of `pnpm bench raft`, shared by both sides so that our Raft and the reference (etcd) are
// driven by the same client machinery: `concurrency` clients, each issuing one write at a time (the next one
// only once the previous one is acknowledged as committed), over node:http with one keep-alive Agent whose
// sockets are capped at the client count, so every client keeps its own connection.
// Only the writes issued after the warm-up and before the end of the measured window are recorded; the ones
// still in flight when the window closes are awaited and recorded, and the measured time runs until the last of
// them completes, so that throughput and latency describe the same writes.
import { randomBytes } from 'node:crypto'
import { Agent, request } from 'node:http'
import { PerformanceObserver, performance } from 'node:perf_hooks'

// Values are slices, at random offsets, of one block of random bytes made up front: random (nothing for a
// store to compress) without paying for the random generator inside the timed loop.
const VALUE_POOL_BYTES = 4 * 2 ** 20
// After a failed write, a client waits this long before the next one, so a refused connection does not spin.
const ERROR_BACKOFF_MS = 10

/**
 * A keep-alive HTTP agent for `concurrency` clients: at most `concurrency` sockets per host, kept open
 * between requests, with Nagle's algorithm off (small requests are not held back waiting for an ACK).
 *
 * @param {number} concurrency the number of clients that will share the agent
 * @returns {Agent}
 */
export function createLoadAgent(concurrency) {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, noDelay: true })
}

/**
 * Sends `body` as JSON to `url` through `agent` and resolves with the parsed JSON response (or its text when
 * the response is not JSON, `undefined` when it is empty). Rejects on a network error, on a timeout and on a
 * non-2xx status (the error carries `status` and the response text).
 *
 * @param {Agent} agent a keep-alive agent, normally from {@link createLoadAgent}
 * @param {string} url an http:// URL
 * @param {unknown} body a value to serialize with JSON.stringify, or a string / Buffer sent as it is
 * @param {{ method?: string, timeoutMs?: number }} [options] the method (POST unless told) and the time
 *   after which the request is abandoned (10 s unless told)
 * @returns {Promise<any>}
 */
export function httpPutJson(agent, url, body, { method = 'POST', timeoutMs = 10_000 } = {}) {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  return new Promise((resolvePromise, reject) => {
    const req = request(
      url,
      {
        agent,
        method,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = res.statusCode ?? 0
          if (status < 200 || status >= 300) {
            const error = new Error(`${method} ${url} answered ${status}: ${text.slice(0, 500)}`)
            error.status = status
            error.body = text
            reject(error)
            return
          }
          if (text === '') resolvePromise(undefined)
          else if (/json/i.test(res.headers['content-type'] ?? '')) {
            try {
              resolvePromise(JSON.parse(text))
            } catch (error) {
              reject(error)
            }
          } else resolvePromise(text)
        })
      },
    )
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)),
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/**
 * Drives `concurrency` concurrent clients, each writing sequentially, for `warmupMs` (not recorded) and then
 * `durationMs` (recorded), and reports the committed writes per second and the latency of a write (from
 * issuing it to its acknowledgement, measured with performance.now()).
 *
 * Client `i` is `{ id: i, agent, endpoint: endpoints[i % endpoints.length] }`, where `agent` is one keep-alive
 * agent for all clients (maxSockets = concurrency); it is handed to `put` as it is. Keys are
 * `bench/<client>/<n>`: `n` counts the client's writes, modulo `keySpace` when that is given (a bounded key
 * space: keys are overwritten), so that by default every write is to a new key. Values are `valueBytes` random
 * bytes (a Buffer).
 *
 * A failed write (put rejects) is counted in `errors` and left out of the commits and latencies; its client
 * waits 10 ms and goes on. `firstError` is the message of the first failure, if any.
 *
 * @param {object} options
 * @param {string[]} options.endpoints where the clients send their writes (client i uses endpoint i mod length)
 * @param {number} options.concurrency the number of clients
 * @param {number} options.valueBytes the size of each value
 * @param {number} options.durationMs the measured time
 * @param {number} [options.warmupMs] the time before it, not recorded (0 unless told)
 * @param {number} [options.keySpace] the number of distinct keys per client (unbounded unless told)
 * @param {(client: { id: number, agent: Agent, endpoint: string }, key: string, value: Buffer) => Promise<void>}
 *   options.put writes `value` at `key` and resolves once the write is committed
 * @returns {Promise<{ commits: number, seconds: number, commitsPerSecond: number, p50Ms: number,
 *   p99Ms: number, maxMs: number, errors: number, firstError?: string, sortedLatencies: Float64Array,
 *   loadGc: { count: number, totalMs: number, maxMs: number } }>} (`sortedLatencies`: every recorded latency,
 *   ascending; `loadGc`: this process's garbage-collection pauses in the measured time)
 */
export async function runPutLoad({
  endpoints,
  concurrency,
  valueBytes,
  durationMs,
  warmupMs = 0,
  keySpace = Number.POSITIVE_INFINITY,
  put,
}) {
  if (!endpoints?.length) throw new Error('runPutLoad needs at least one endpoint')
  if (!(concurrency >= 1)) throw new Error(`runPutLoad needs a concurrency of at least 1, not ${concurrency}`)
  if (typeof put !== 'function') throw new Error('runPutLoad needs a put function')

  const pool = randomBytes(VALUE_POOL_BYTES + valueBytes)
  const value = () => {
    const offset = Math.floor(Math.random() * (VALUE_POOL_BYTES + 1))
    return pool.subarray(offset, offset + valueBytes)
  }
  const agent = createLoadAgent(concurrency)
  const latencies = []
  let errors = 0
  let firstError
  let lastCompletion = 0

  const startedAt = performance.now()
  const measureFrom = startedAt + warmupMs
  const measureUntil = measureFrom + durationMs
  // This process's own garbage-collection pauses in the measured time: each delays the writes in flight.
  const loadGc = { count: 0, totalMs: 0, maxMs: 0 }
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime < measureFrom || entry.startTime >= measureUntil) continue
      loadGc.count++
      loadGc.totalMs += entry.duration
      loadGc.maxMs = Math.max(loadGc.maxMs, entry.duration)
    }
  })
  gcObserver.observe({ entryTypes: ['gc'] })

  const runClient = async (id) => {
    const client = { id, agent, endpoint: endpoints[id % endpoints.length] }
    for (let n = 0; ; n++) {
      const issuedAt = performance.now()
      if (issuedAt >= measureUntil) return
      const recorded = issuedAt >= measureFrom
      const key = `bench/${id}/${Number.isFinite(keySpace) ? n % keySpace : n}`
      try {
        await put(client, key, value())
        const doneAt = performance.now()
        if (recorded) {
          latencies.push(doneAt - issuedAt)
          if (doneAt > lastCompletion) lastCompletion = doneAt
        }
      } catch (error) {
        if (recorded) {
          errors++
          firstError ??= error?.message ?? String(error)
        }
        await new Promise((resolveSleep) => setTimeout(resolveSleep, ERROR_BACKOFF_MS))
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: concurrency }, (_, id) => runClient(id)))
  } finally {
    agent.destroy()
    gcObserver.disconnect()
  }

  const commits = latencies.length
  const seconds = (Math.max(lastCompletion, measureUntil) - measureFrom) / 1000
  const sorted = Float64Array.from(latencies).sort()
  const result = {
    commits,
    seconds,
    commitsPerSecond: commits / seconds,
    p50Ms: percentile(sorted, 0.5) ?? Number.NaN,
    p99Ms: percentile(sorted, 0.99) ?? Number.NaN,
    maxMs: commits ? sorted[commits - 1] : Number.NaN,
    errors,
    sortedLatencies: sorted,
    loadGc,
  }
  if (firstError !== undefined) result.firstError = firstError
  return result
}

/**
 * Nearest-rank percentile of ascending samples: the smallest sample at or above a fraction `q` of them; `null`
 * when there are none.
 *
 * @param {ArrayLike<number>} sorted
 * @param {number} q
 * @returns {number | null}
 */
export function percentile(sorted, q) {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}
