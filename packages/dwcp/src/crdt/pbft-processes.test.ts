import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { http, MemberProcesses } from '../test-fixtures/member-processes.js'

let cluster: MemberProcesses | undefined
afterEach(async () => {
  await cluster?.close()
  cluster = undefined
})

function pemKeys(ids: readonly string[]) {
  return Object.fromEntries(
    ids.map((id) => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519')
      return [
        id,
        {
          privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      ]
    }),
  )
}

describe('PBFT across processes on loopback (internet mode, TCP, Ed25519, channel pbft)', () => {
  it('4 members keep committing after the primary is killed', async () => {
    const ids = ['p1', 'p2', 'p3', 'p4']
    const procs = new MemberProcesses({
      electionTimeoutMs: 150,
      snapshotEveryEntries: 10_000,
      mode: 'internet',
      pbftKeys: pemKeys(ids),
    })
    cluster = procs
    await procs.define(ids)
    await Promise.all(ids.map((id) => procs.start(id, ids)))
    const propose = async (id: string, body: string) => {
      const { status, body: answer } = await http(procs.get(id).httpPort, 'POST', '/propose', body, 15_000)
      expect(status).toBe(200)
      return (answer as { index: number }).index
    }
    const before: number[] = []
    for (let i = 0; i < 10; i++) before.push(await propose(ids[i % 4]!, `before-${i}`))
    const status = (await http(procs.get('p2').httpPort, 'GET', '/status')).body as { primary?: string }
    expect(status.primary).toBe('p1')
    await procs.kill('p1')
    const killedMs = Date.now()
    const first = await propose('p2', 'after-0')
    const recoveryMs = Date.now() - killedMs
    const after = [first]
    for (let i = 1; i < 10; i++) after.push(await propose(ids[1 + (i % 3)]!, `after-${i}`))
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...before))
    const now = (await http(procs.get('p3').httpPort, 'GET', '/status')).body as {
      primary?: string
      view?: number
    }
    expect(now.primary).not.toBe('p1')
    console.log(
      `PBFT: first commit ${recoveryMs} ms after the primary was killed (view ${now.view}, primary ${now.primary})`,
    )
  }, 60_000)
})
