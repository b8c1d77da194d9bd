import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.js'

const MEMBER_SCRIPT = fileURLToPath(new URL('../../test-fixtures/cluster-member.mjs', import.meta.url))

/** One HTTP exchange with a member's control API. */
export async function http(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 3000,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        timeout: timeoutMs,
        headers: payload ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end(payload)
  })
}

/** A member process and what it reported. */
export interface MemberProcess {
  id: string
  port: number
  httpPort: number
  dataDir: string
  child: ChildProcess | undefined
  /** Terms and times (epoch ms) at which it became leader. */
  leaderships: Array<{ term: number; atMs: number }>
}

/** Member configuration shared by a cluster's processes. */
export interface ClusterConfig {
  electionTimeoutMs: number
  snapshotEveryEntries: number
  /** datacenter (Raft) or internet (CRDT gossip). @default datacenter */
  mode?: 'datacenter' | 'internet'
  /** Internet mode: PEM keys per member id for PBFT. */
  pbftKeys?: Record<string, { privateKey: string; publicKey: string }>
}

/**
 * A Raft cluster of `dwcp` nodes, one process each, on loopback: start, SIGKILL, restart from the same
 * state.db, add and remove members, and talk to each over its HTTP control API.
 */
export class MemberProcesses {
  readonly members = new Map<string, MemberProcess>()
  private readonly root = mkdtempSync(join(tmpdir(), 'dwcp-raft-procs-'))

  constructor(private readonly config: ClusterConfig) {}

  /** Creates members (ports and data directories) without starting them. */
  async define(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      this.members.set(id, {
        id,
        port: await freePort(),
        httpPort: await freePort(),
        dataDir: join(this.root, id),
        child: undefined,
        leaderships: [],
      })
    }
  }

  /** The `{id, address}` list of the given members. */
  addresses(ids: readonly string[]): Array<{ id: string; address: string }> {
    return ids.map((id) => ({ id, address: `tcp://127.0.0.1:${this.get(id).port}` }))
  }

  get(id: string): MemberProcess {
    const member = this.members.get(id)
    if (!member) throw new Error(`no member ${id}`)
    return member
  }

  /** Starts `id` with `clusterMembers` as the cluster it forms or (with `joining`) joins; resolves once it serves. */
  async start(id: string, clusterMembers: readonly string[], joining = false): Promise<void> {
    const member = this.get(id)
    const args = JSON.stringify({
      nodeId: id,
      port: member.port,
      httpPort: member.httpPort,
      members: this.addresses(clusterMembers),
      dataDir: member.dataDir,
      joining,
      mode: this.config.mode ?? 'datacenter',
      ...(this.config.pbftKeys
        ? {
            pbft: {
              privateKey: this.config.pbftKeys[id]?.privateKey,
              publicKeys: Object.fromEntries(
                Object.entries(this.config.pbftKeys).map(([member, k]) => [member, k.publicKey]),
              ),
            },
          }
        : {}),
      electionTimeoutMs: this.config.electionTimeoutMs,
      snapshotEveryEntries: this.config.snapshotEveryEntries,
    })
    const child = spawn(process.execPath, [MEMBER_SCRIPT, args], { stdio: ['ignore', 'pipe', 'pipe'] })
    member.child = child
    let stderr = ''
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString('utf8')
    })
    await new Promise<void>((resolve, reject) => {
      let buffered = ''
      child.stdout?.on('data', (c: Buffer) => {
        buffered += c.toString('utf8')
        let newline = buffered.indexOf('\n')
        while (newline >= 0) {
          const line = buffered.slice(0, newline)
          buffered = buffered.slice(newline + 1)
          newline = buffered.indexOf('\n')
          const event = JSON.parse(line) as { event: string; term?: number; atMs?: number }
          if (event.event === 'ready') resolve()
          if (event.event === 'leader')
            member.leaderships.push({ term: event.term ?? 0, atMs: event.atMs ?? 0 })
        }
      })
      child.once('exit', (code, signal) =>
        reject(new Error(`member ${id} exited (${code ?? signal}) before serving: ${stderr}`)),
      )
    })
  }

  /** Kills `id` with SIGKILL (no cleanup, no flush: what its state.db holds is what survives). */
  async kill(id: string): Promise<void> {
    const child = this.get(id).child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    this.get(id).child = undefined
  }

  /** Ids of running members. */
  running(): string[] {
    return [...this.members.values()].filter((m) => m.child).map((m) => m.id)
  }

  /** Every running member's status. */
  async statuses(): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = []
    for (const id of this.running()) {
      try {
        const { body } = await http(this.get(id).httpPort, 'GET', '/status', undefined, 1000)
        out.push(body as Record<string, unknown>)
      } catch {
        // A member that does not answer is left out.
      }
    }
    return out
  }

  /** The running leader with the highest term, waiting up to `timeoutMs` for one. */
  async leader(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const leaders = (await this.statuses()).filter((s) => s.role === 'leader')
      leaders.sort((a, b) => Number(b.term) - Number(a.term))
      if (leaders[0]) return String(leaders[0].nodeId)
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error(`no leader within ${timeoutMs} ms: ${JSON.stringify(await this.statuses())}`)
  }

  /** Kills every process and removes the data directories. */
  async close(): Promise<void> {
    for (const id of this.running()) await this.kill(id)
    rmSync(this.root, { recursive: true, force: true })
  }
}
