/**
 * The example end to end: start the three servers, wait for `/health` and a Raft leader, use the leader's API
 * through the `dwcp` CLI, print a report, stop everything with `dwcp shutdown`.
 *
 * The API has no route that writes the replicated key/value state (that is `node.state` for embedding hosts),
 * so the example writes through `dwcp config set` (a runtime setting, saved to the leader's config file) and
 * reads the replicated state through `dwcp status` of each member and `dwcp backup state` of the leader.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dwcpOrThrow, resolveDwcpCli } from './dwcp-cli.js'
import {
  healthAnswers,
  isRunning,
  logTail,
  NODE_IDS,
  prepareConfig,
  reap,
  type ServerProcess,
  startServer,
  waitFor,
} from './servers.js'

/** How long the servers get to answer `/health`, and then to elect a leader. */
const START_TIMEOUT_MS = 15_000
const ELECTION_TIMEOUT_MS = 15_000

/** What `dwcp status --json` says about one member (the fields the report uses). */
export interface MemberStatus {
  nodeId: string
  role: string
  term: number
  leader: string | null
  commitIndex: number
  members: string[]
  peers: string[]
  storagePath: string | null
}

/** What a run found, for a caller that wants more than the printed lines. */
export interface ExampleReport {
  /** The elected leader's node id. */
  leader: string
  /** Its term. */
  term: number
  /** The voters, as every member reports them. */
  members: string[]
  /** Each member's status after the election. */
  statuses: MemberStatus[]
  /** `dwcp backup state` of the leader: the copy's size, term, durable commit index and last log index. */
  backup: { sizeBytes: number; term: number; commitIndex: number; lastIndex: number }
}

/** Options of {@link runExample}. */
export interface ExampleOptions {
  /** Leave the servers running after the report until SIGINT or SIGTERM. @default false */
  keep?: boolean
  /** Writes one line of the report. @default console.log */
  print?: (line: string) => void
  /** Called with the report before the servers are stopped. */
  onReport?: (report: ExampleReport) => void
}

type R = Record<string, unknown>

/** Reads one member's status through `dwcp status --json`. */
async function memberStatus(cli: string, server: ServerProcess): Promise<MemberStatus> {
  const status = JSON.parse(await dwcpOrThrow(cli, ['status', '--json', '--server', server.apiUrl])) as R
  const consensus = (status.consensus ?? {}) as R
  const details = (consensus.details ?? {}) as R
  const storage = ((status.storage ?? {}) as R).details as R | undefined
  return {
    nodeId: String(status.nodeId),
    role: String(details.role ?? 'unknown'),
    term: Number(details.term ?? 0),
    leader: typeof consensus.leader === 'string' ? consensus.leader : null,
    commitIndex: Number(details.commitIndex ?? 0),
    members: Array.isArray(consensus.members) ? (consensus.members as R[]).map((m) => String(m.id)) : [],
    peers: Array.isArray(status.peers) ? (status.peers as string[]) : [],
    storagePath: typeof storage?.path === 'string' ? storage.path : null,
  }
}

/**
 * The statuses once the cluster agrees: one member is leader, and every member names it as leader in the same
 * term with the full member list. Undefined until then.
 */
async function agreedStatuses(
  cli: string,
  servers: readonly ServerProcess[],
): Promise<MemberStatus[] | undefined> {
  const statuses = await Promise.all(servers.map((server) => memberStatus(cli, server)))
  const leaders = statuses.filter((s) => s.role === 'leader')
  const leader = leaders[0]
  if (leaders.length !== 1 || leader === undefined) return undefined
  const agreed = statuses.every(
    (s) => s.leader === leader.nodeId && s.term === leader.term && s.members.length === servers.length,
  )
  return agreed ? statuses : undefined
}

function pad(text: string, width: number): string {
  return text.padEnd(width)
}

/**
 * Runs the example; resolves with the exit code (0 when the cluster formed, was used and stopped cleanly, 1
 * otherwise). Every server it started is stopped and its temporary directory removed before it returns,
 * whatever happened.
 */
export async function runExample(options: ExampleOptions = {}): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line))
  const cli = resolveDwcpCli()
  const workDir = mkdtempSync(join(tmpdir(), 'dwcp-cluster-server-'))
  const servers: ServerProcess[] = []
  // A crash of this script must not leave three servers holding the ports; they are in their own process group.
  const killAll = () => {
    for (const server of servers) if (isRunning(server)) server.child.kill('SIGKILL')
  }
  process.once('exit', killAll)
  let code = 1
  let stopped = false
  try {
    print('Starting three dwcp servers (datacenter mode, Raft) on loopback')
    for (const nodeId of NODE_IDS) {
      const prepared = prepareConfig(nodeId, workDir)
      const server = startServer(cli, nodeId, workDir, prepared)
      servers.push(server)
      const listen = prepared.config.cluster.listen?.join(', ') ?? 'none'
      print(`  ${nodeId}  API ${server.apiUrl}  Raft/transport ${listen}  pid ${server.child.pid}`)
    }

    const started = Date.now()
    await waitFor(
      '/health on every server',
      servers,
      async () => ((await Promise.all(servers.map(healthAnswers))).every(Boolean) ? true : undefined),
      START_TIMEOUT_MS,
    )
    const healthyAfterMs = Date.now() - started
    const statuses = await waitFor(
      'a Raft leader every member agrees on',
      servers,
      () => agreedStatuses(cli, servers),
      ELECTION_TIMEOUT_MS,
      200,
    )
    const leaderStatus = statuses.find((s) => s.role === 'leader') as MemberStatus
    const leader = servers.find((s) => s.nodeId === leaderStatus.nodeId) as ServerProcess
    print(
      `/health answered on all three after ${(healthyAfterMs / 1000).toFixed(1)} s; ` +
        `leader ${leader.nodeId} (term ${leaderStatus.term}) after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
    print('')

    print(`Cluster ${leader.config.cluster.clusterId}: members ${leaderStatus.members.join(', ')}`)
    print(
      `  ${pad('node', 8)}${pad('role', 10)}${pad('term', 6)}${pad('commit', 8)}${pad('peers', 16)}storage`,
    )
    for (const s of statuses)
      print(
        `  ${pad(s.nodeId, 8)}${pad(s.role, 10)}${pad(String(s.term), 6)}${pad(String(s.commitIndex), 8)}` +
          `${pad(s.peers.join(',') || 'none', 16)}${s.storagePath ?? 'none'}`,
      )
    print('')

    // Writes go to the leader, as the API wants for cluster changes; `config set` of logging.level is applied
    // at once and saved into the file the server was started from (the temporary copy, not configs/).
    print(`Through the leader's API (${leader.apiUrl}):`)
    const setArgs = ['config', 'set', 'logging.level=info']
    print(`  $ dwcp ${setArgs.join(' ')}`)
    for (const line of (await dwcpOrThrow(cli, [...setArgs, '--server', leader.apiUrl]))
      .trimEnd()
      .split('\n'))
      print(`    ${line}`)
    const saved = /^\s*level:\s*(\S+)/m.exec(readFileSync(leader.configPath, 'utf8'))?.[1]
    print(`    (read back from the saved file: logging.level is ${saved ?? 'missing'})`)
    if (saved !== 'info') throw new Error(`config set did not save logging.level=info (found ${saved})`)

    const backupPath = join(workDir, `backup-${leader.nodeId}.db`)
    print(`  $ dwcp backup state --output ${backupPath}`)
    const backup = JSON.parse(
      await dwcpOrThrow(cli, [
        'backup',
        'state',
        '--output',
        backupPath,
        '--json',
        '--server',
        leader.apiUrl,
      ]),
    ) as R
    const backupInfo = {
      sizeBytes: Number(backup.sizeBytes),
      term: Number(backup.term),
      commitIndex: Number(backup.commitIndex),
      lastIndex: Number(backup.lastIndex),
    }
    // The commit index in the file is the durable one: Raft saves a commit-only change with the next write, so
    // right after an election it can trail the live commit index that status shows; the log entries are there.
    print(
      `    Backup written: ${backupInfo.sizeBytes} bytes of state.db, term ${backupInfo.term}, log through ` +
        `index ${backupInfo.lastIndex} (durable commit index ${backupInfo.commitIndex}), verified`,
    )
    print('')

    options.onReport?.({
      leader: leader.nodeId,
      term: leaderStatus.term,
      members: leaderStatus.members,
      statuses,
      backup: backupInfo,
    })

    if (options.keep) {
      print(`The servers keep running (try: dwcp status --server ${leader.apiUrl}); Ctrl-C stops them.`)
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      print('')
    }

    // Followers first: stopping the leader while the others still run would only make them elect a new one.
    print('Stopping: dwcp shutdown --drain --timeout 5s')
    const order = [...servers.filter((s) => s !== leader), leader]
    for (const server of order) {
      const out = await dwcpOrThrow(cli, [
        'shutdown',
        '--drain',
        '--timeout',
        '5s',
        '--server',
        server.apiUrl,
      ])
      const exit = await reap(server, 10_000)
      print(`  ${server.nodeId}: ${out.trim()} (exit code ${exit})`)
      if (exit !== 0) throw new Error(`${server.nodeId} exited with ${exit}:\n${logTail(server)}`)
    }
    stopped = true
    code = 0
  } catch (error) {
    print(`error: ${(error as Error).message}`)
  } finally {
    for (const server of servers) if (isRunning(server)) server.child.kill('SIGTERM')
    await Promise.all(servers.map((server) => reap(server, 10_000)))
    process.off('exit', killAll)
    rmSync(workDir, { recursive: true, force: true })
  }
  print(
    stopped
      ? 'all three servers stopped, temporary files removed'
      : 'servers stopped, temporary files removed',
  )
  return code
}
