import { afterEach, describe, expect, it } from 'vitest'
import { http, MemberProcesses } from '../test-fixtures/member-processes.js'

let cluster: MemberProcesses | undefined
afterEach(async () => {
  await cluster?.close()
  cluster = undefined
})

describe('CRDT state across processes on loopback (internet mode, TCP, gossip on channel sync)', () => {
  it('5 members converge on writes made at every member, also one that was down while they were made', async () => {
    const procs = new MemberProcesses({
      electionTimeoutMs: 150,
      snapshotEveryEntries: 10_000,
      mode: 'internet',
    })
    cluster = procs
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5']
    await procs.define(ids)
    await Promise.all(ids.map((id) => procs.start(id, ids)))
    await procs.kill('n5')
    const expected = new Map<string, number>()
    for (const [i, id] of ids.slice(0, 4).entries())
      for (let k = 0; k < 10; k++) {
        const key = `${id}-k${k}`
        expect((await http(procs.get(id).httpPort, 'PUT', `/kv/${key}`, i * 100 + k)).status).toBe(204)
        expected.set(key, i * 100 + k)
      }
    await procs.start('n5', ids)
    const startedMs = Date.now()
    const deadline = startedMs + 30_000
    for (const id of ids) {
      for (const [key, value] of expected) {
        for (;;) {
          const { status, body } = await http(procs.get(id).httpPort, 'GET', `/kv/${key}`)
          if (status === 200 && body === value) break
          if (Date.now() > deadline)
            throw new Error(`${id} never got ${key}=${value} (has ${status} ${JSON.stringify(body)})`)
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    }
    console.log(`5 members converged on 40 writes ${Date.now() - startedMs} ms after the fifth came back`)
  }, 60_000)
})
