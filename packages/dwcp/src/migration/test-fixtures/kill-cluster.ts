import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../test-fixtures/free-port.js'

const MEMBER_SCRIPT = fileURLToPath(new URL('../../../test-fixtures/migration-member.mjs', import.meta.url))

/** An event a member process printed. */
export type MemberEvent = { event: string } & Record<string, unknown>

/** One member process of a {@link KillCluster}. */
interface Member {
  id: string
  port: number
  dataDir: string
  imagesDir: string
  child?: ChildProcess
  events: MemberEvent[]
  waiters: Array<{ match: (e: MemberEvent) => boolean; resolve: (e: MemberEvent) => void }>
}

/**
 * A 3-member Raft cluster of `migration-member.mjs` processes on loopback that a test can SIGKILL and restart
 * member by member (same state.db and images directory). Test support.
 */
export class KillCluster {
  readonly root = mkdtempSync(join(tmpdir(), 'dwcp-kill-'))
  readonly #members = new Map<string, Member>()

  constructor(private readonly graceMs: number) {}

  /** Creates and starts the members. */
  async start(ids: readonly string[]): Promise<void> {
    for (const id of ids)
      this.#members.set(id, {
        id,
        port: await freePort(),
        dataDir: join(this.root, id, 'state'),
        imagesDir: join(this.root, id, 'images'),
        events: [],
        waiters: [],
      })
    await Promise.all(ids.map((id) => this.#spawn(id)))
  }

  /** The images directory of `id`. */
  imagesDir(id: string): string {
    return this.#get(id).imagesDir
  }

  /** Every event `id` printed since it (last) started. */
  events(id: string): MemberEvent[] {
    return this.#get(id).events
  }

  running(id: string): boolean {
    return this.#get(id).child !== undefined
  }

  /** Sends one command line to `id`. */
  send(id: string, command: Record<string, unknown>): void {
    this.#get(id).child?.stdin?.write(`${JSON.stringify(command)}\n`)
  }

  /** The next event of `id` that `match` accepts (one already printed counts), within `timeoutMs`. */
  next(id: string, match: (e: MemberEvent) => boolean, timeoutMs = 20_000): Promise<MemberEvent> {
    const member = this.#get(id)
    const seen = member.events.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${id}: no matching event within ${timeoutMs} ms`)),
        timeoutMs,
      )
      member.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer)
          resolve(e)
        },
      })
    })
  }

  /** Asks `id` a question (`role`, `placement`) and waits for its answer. */
  async ask(id: string, command: Record<string, unknown>, timeoutMs = 10_000): Promise<MemberEvent> {
    const member = this.#get(id)
    const from = member.events.length
    const event = command.cmd as string
    this.send(id, command)
    return this.next(id, (e) => e.event === event && member.events.indexOf(e) >= from, timeoutMs)
  }

  /** The id of the current leader, waiting for one. */
  async leader(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      for (const [id, member] of this.#members) {
        if (!member.child) continue
        const answer = await this.ask(id, { cmd: 'role' }, 2000).catch(() => undefined)
        if (answer?.role === 'leader') return id
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`no leader within ${timeoutMs} ms`)
  }

  /** SIGKILLs `id`: no cleanup, no flush beyond what the kernel holds. */
  async kill(id: string): Promise<void> {
    const child = this.#get(id).child
    if (!child) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    this.#get(id).child = undefined
  }

  /** Starts `id` again on its state.db and images. */
  restart(id: string): Promise<void> {
    return this.#spawn(id)
  }

  /** Kills every member and removes the directories. */
  async stop(): Promise<void> {
    for (const id of this.#members.keys()) await this.kill(id)
    rmSync(this.root, { recursive: true, force: true })
  }

  #get(id: string): Member {
    const member = this.#members.get(id)
    if (!member) throw new Error(`no member ${id}`)
    return member
  }

  async #spawn(id: string): Promise<void> {
    const member = this.#get(id)
    const members = [...this.#members.values()].map((m) => ({
      id: m.id,
      address: `tcp://127.0.0.1:${m.port}`,
    }))
    const args = JSON.stringify({
      nodeId: id,
      port: member.port,
      members,
      dataDir: member.dataDir,
      imagesDir: member.imagesDir,
      graceMs: this.graceMs,
    })
    const child = spawn(process.execPath, [MEMBER_SCRIPT, args], { stdio: ['pipe', 'pipe', 'pipe'] })
    member.child = child
    member.events = []
    member.waiters = []
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000)
    })
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let event: MemberEvent
      try {
        event = JSON.parse(line) as MemberEvent
      } catch {
        return
      }
      member.events.push(event)
      for (const waiter of [...member.waiters])
        if (waiter.match(event)) {
          member.waiters.splice(member.waiters.indexOf(waiter), 1)
          waiter.resolve(event)
        }
    })
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`member ${id} exited (${code}) before ready: ${stderr}`))
      child.once('exit', onExit)
      this.next(id, (e) => e.event === 'ready', 30_000).then(() => {
        child.off('exit', onExit)
        resolve()
      }, reject)
    })
  }
}
