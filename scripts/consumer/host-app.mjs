// A host application of the published packages, as a user writes one: two nodes over TCP on loopback, a
// transfer between them, forecasts after the traffic, and what the node says about its native and learned parts.
// It prints one JSON line for scripts/consumer.test.ts to check, and exits non-zero on any failure.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { onnxPredictor } from '@dwcp/pba'
import { nativeStatus } from '@dwcp/rdma-native'
import { bytesSink, bytesSource, createNode, isDwcpError, silentLogger, systemClock } from 'dwcp'

const TRANSFER_BYTES = 8 * 1024 * 1024
/** Samples every 50 ms fill the internet model's 60-step history within seconds. */
const SAMPLE_INTERVAL_MS = 50
/** How long the GRU may take to take over from the warm-up baseline: 60 samples and one inference. */
const MODEL_FORECAST_TIMEOUT_MS = 60_000

const require = createRequire(import.meta.url)

/** Whether a package resolves from this app, as a dynamic import would find it. */
function installed(name) {
  try {
    require.resolve(`${name}/package.json`)
    return true
  } catch {
    return false
  }
}

/** The install-time reason the addon was not built, when the build left one. */
function notBuiltReason() {
  try {
    const root = dirname(require.resolve('@dwcp/rdma-native/package.json'))
    return readFileSync(join(root, 'build', 'NOT_BUILT'), 'utf8').trim()
  } catch {
    return undefined
  }
}

/**
 * Keeps bytes moving from `from` to `peer` until `node.predict(peer)` is served by the predictor's own model
 * rather than the warm-up baseline: the sampler feeds the predictor only intervals that carried traffic.
 */
async function trafficUntilModelForecast(from, peer) {
  const deadlineMs = Date.now() + MODEL_FORECAST_TIMEOUT_MS
  const chunk = new Uint8Array(512 * 1024).fill(7)
  let last
  for (;;) {
    await from.transfer(peer, bytesSource(chunk))
    try {
      last = from.predict(peer)
      if (last.model !== 'harmonic-mean') return last
    } catch (error) {
      // Only "no samples of the path yet" is worth waiting for.
      if (!(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT') && /no samples/.test(error.message))) throw error
    }
    if (Date.now() > deadlineMs)
      throw new Error(
        `no forecast by the model within ${MODEL_FORECAST_TIMEOUT_MS} ms: ${JSON.stringify(last)}`,
      )
  }
}

const options = (nodeId) => ({
  nodeId,
  listen: ['tcp://127.0.0.1:0'],
  tls: false,
  sampleIntervalMs: SAMPLE_INTERVAL_MS,
  logger: silentLogger(),
})
const a = createNode('internet', options('a'))
const b = createNode('internet', options('b'))
try {
  await a.start()
  await b.start()
  const received = []
  b.on('transfer', (_peer, incoming) => {
    const sink = bytesSink(incoming.sizeBytes)
    received.push(incoming.accept(sink).then(() => sink))
  })
  await a.connect(b.addresses()[0])
  const payload = new Uint8Array(TRANSFER_BYTES).map((_, i) => (i * 31) & 0xff)
  await a.transfer('b', bytesSource(payload), { chunkBytes: 1024 * 1024 })
  const first = await received[0]
  const forecast = await trafficUntilModelForecast(a, 'b')

  const predictor = onnxPredictor({ model: 'internet' })({ clock: systemClock(), logger: silentLogger() })
  const predictorHealth = await predictor.ready
  await predictor.close()

  const health = a.health()
  console.log(
    JSON.stringify({
      transferBytes: TRANSFER_BYTES,
      transferIntact: Buffer.from(first.bytes).equals(Buffer.from(payload)),
      forecast: { model: forecast.model, bandwidthBps: forecast.bandwidthBps },
      predictor: { ...predictorHealth, error: predictorHealth.error?.code },
      nodePredictor: health.components.predictor,
      transport: health.components.transport,
      native: nativeStatus(),
      notBuilt: notBuiltReason(),
      onnxruntimeInstalled: installed('onnxruntime-node'),
    }),
  )
} finally {
  await Promise.allSettled([a.stop(), b.stop()])
}
