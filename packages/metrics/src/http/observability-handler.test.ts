import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { METRIC_NAMES } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { prometheusMetrics } from '../prometheus-metrics.js'
import { createObservabilityHandler, type ObservabilityHandlerOptions } from './observability-handler.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

/** Serves the handler on an ephemeral loopback port and returns its base URL. */
async function serve(options: ObservabilityHandlerOptions): Promise<string> {
  const server = createServer(createObservabilityHandler(options))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const ok = () => ({ status: 'ok', components: { transport: { status: 'up' } } })

describe('createObservabilityHandler', () => {
  it('serves GET /metrics in the Prometheus text format with its content type', async () => {
    const metrics = prometheusMetrics({ defaultLabels: { node: 'n1' } })()
    metrics.counter(METRIC_NAMES.amstBytesSent).inc({ transport: 'tcp' }, 4096)
    const base = await serve({ metrics, health: ok })
    const res = await fetch(`${base}/metrics?debug=1`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(metrics.contentType)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = await res.text()
    expect(body).toContain('dwcp_amst_bytes_sent_total{transport="tcp",node="n1"} 4096')
    expect(body).toContain('# TYPE dwcp_consensus_latency_seconds histogram')
  })

  it('answers GET /health with 200 when ok and 503 when degraded or down', async () => {
    let status = 'ok'
    const base = await serve({ health: () => ({ status, components: { codec: { status: 'up' } } }) })
    for (const [next, code] of [
      ['ok', 200],
      ['degraded', 503],
      ['down', 503],
    ] as const) {
      status = next
      const res = await fetch(`${base}/health`)
      expect(res.status).toBe(code)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await res.json()).toEqual({ status: next, components: { codec: { status: 'up' } } })
    }
  })

  it('awaits an async health report', async () => {
    const base = await serve({ health: async () => ({ status: 'ok' }) })
    expect((await fetch(`${base}/health`)).status).toBe(200)
  })

  it('answers HEAD with the GET status and headers but no body', async () => {
    const metrics = prometheusMetrics()()
    const base = await serve({ metrics, health: () => ({ status: 'down' }) })
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe(metrics.contentType)
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0)
    expect(await head.text()).toBe('')
    const health = await fetch(`${base}/health`, { method: 'HEAD' })
    expect(health.status).toBe(503)
    expect(await health.text()).toBe('')
  })

  it('answers 404 JSON for unknown paths and for /metrics without a registry', async () => {
    const base = await serve({ health: ok })
    for (const path of ['/', '/metrics/', '/healthz', '/nope?x=1']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(404)
      expect(await res.json()).toMatchObject({ error: 'not_found' })
    }
    const res = await fetch(`${base}/metrics`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'not_found', message: 'this node records no metrics' })
  })

  it('answers 405 with Allow for other methods on known paths', async () => {
    const base = await serve({ metrics: prometheusMetrics()(), health: ok })
    for (const [method, path] of [
      ['POST', '/metrics'],
      ['PUT', '/health'],
      ['DELETE', '/health'],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method })
      expect(res.status, `${method} ${path}`).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
      expect(await res.json()).toMatchObject({ error: 'method_not_allowed' })
    }
  })

  it('answers 500 JSON and keeps serving when render() or health() fails', async () => {
    const logged: unknown[] = []
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (fields: unknown) => void logged.push(fields),
      child() {
        return logger
      },
    }
    const base = await serve({
      metrics: { contentType: 'text/plain', render: () => Promise.reject(new Error('registry broke')) },
      health: () => {
        throw new Error('health broke')
      },
      logger,
    })
    const metricsRes = await fetch(`${base}/metrics`)
    expect(metricsRes.status).toBe(500)
    expect(await metricsRes.json()).toEqual({ error: 'internal', message: 'registry broke' })
    const healthRes = await fetch(`${base}/health`)
    expect(healthRes.status).toBe(500)
    expect(await healthRes.json()).toEqual({ error: 'internal', message: 'health broke' })
    expect(logged).toHaveLength(2)
  })

  it('answers 500 when the health report cannot be serialized', async () => {
    const base = await serve({ health: () => ({ status: 'ok', big: 1n }) as never })
    const res = await fetch(`${base}/health`)
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ error: 'internal' })
  })
})
