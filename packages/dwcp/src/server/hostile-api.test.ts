import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runHostileHttp } from '../testing/hostile-http.js'
import { type DwcpServer, startServer } from './start-server.js'
import { tempDir, writeConfig } from './test-fixtures/harness.js'
import { api } from './test-fixtures/mode-cluster.js'

const temp = tempDir('hostile-api')
let server: DwcpServer

beforeAll(async () => {
  server = await startServer({ configPath: writeConfig(temp.dir, 'hostile'), ports: { http: 0 } })
})
afterAll(async () => {
  await server?.close()
  temp.remove()
})

describe('the HTTP API under seeded random requests', { timeout: 300_000 }, () => {
  it('answers every request, never with a 500, and still serves afterwards', async () => {
    for (const seed of [1, 2, 3]) {
      const report = await runHostileHttp({ baseUrl: server.httpUrl, seed, requests: 400 })
      const repeat = `seed ${seed} (runHostileHttp with this seed repeats it)`
      expect(report.unanswered, repeat).toEqual([])
      expect(report.statuses[500] ?? 0, `${repeat}: ${JSON.stringify(report.statuses)}`).toBe(0)
    }
    const health = await api(server, '/health')
    expect(health.status).toBe(200)
    expect(server.node.health().started).toBe(true)
  })
})
