import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noneCodec } from '@dwcp/hde'
import { createObservabilityHandler } from '@dwcp/metrics'
import { FileWorkload, imagePageDigest, type MigrationSummary, migrate, registerWorkload } from 'dwcp'
import { type DemoNode, leaderOf, startDemoCluster, stopDemoCluster } from './cluster.js'
import { writeImage } from './image.js'
import { type ProgressOutput, progressBar } from './progress.js'
import { formatSummary } from './summary.js'
import { startWriter } from './writer.js'

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Image size in MiB. @default 1024 */
  sizeMiB?: number
  /** Percent of the image's pages the writer dirties per second. @default 2 */
  dirtyPercentPerSecond?: number
  /** `node`: the nodes' own codec; `raw`: chunks as they are (the behaviour before the codec). @default 'node' */
  codec?: 'node' | 'raw'
  /** Stay up after the migration, serving /metrics and /health, until `untilStopped` resolves. */
  serve?: { port: number; untilStopped: () => Promise<void> }
  /** Where result lines go. @default console.log */
  print?: (line: string) => void
  /** Where the live progress bar goes, or false for none. @default process.stderr */
  progress?: ProgressOutput | false
}

/** What the demo did. */
export interface DemoReport {
  exitCode: number
  summary?: MigrationSummary
  /** Placement of the workload after the migration, as the cluster's leader reads it. */
  placedOn?: string
  targetDigestMatches?: boolean
}

const MiB = 1024 * 1024

/**
 * The live migration demo: a 3-node datacenter cluster (Raft) in this process, a VM image with a writer
 * dirtying its pages, migrated from node-1 to node-2 by iterative pre-copy; prints a summary and cleans up.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const print = options.print ?? ((line: string) => console.log(line))
  const sizeBytes = (options.sizeMiB ?? 1024) * MiB
  const root = mkdtempSync(join(tmpdir(), 'dwcp-vm-migration-'))
  let nodes: DemoNode[] = []
  let workload: FileWorkload | undefined
  try {
    const startedMs = performance.now()
    const tag = `vmdemo-${randomBytes(4).toString('hex')}`
    nodes = await startDemoCluster(root, 3, tag, options.codec === 'raw' ? noneCodec() : undefined)
    const [source, target] = nodes as [DemoNode, DemoNode, DemoNode]
    print(
      `cluster: ${nodes.map((n) => n.id).join(', ')} (Raft leader ${leaderOf(nodes)?.id ?? '?'}), in ${ms(startedMs)}; codec ${source.node.codec.name}${options.codec === 'raw' ? ' (--codec raw)' : ''}`,
    )

    const imageStartMs = performance.now()
    const path = join(source.imagesDir, 'vm-1.img')
    writeImage(path, sizeBytes)
    workload = FileWorkload.open({ id: 'vm-1', path })
    print(
      `image: ${sizeBytes / MiB} MiB (40 % zero, 25 % text, 20 % binary, 15 % random pages) in ${ms(imageStartMs)}`,
    )
    const registeredAt = await registerWorkload(source.node, workload)
    print(`placement/vm-1 → ${source.id} (consensus index ${registeredAt ?? 'n/a'})`)

    const writer = startWriter(workload, options.dirtyPercentPerSecond ?? 2)
    print(
      `writer: ${writer.pagesPerSecond} pages per second (${options.dirtyPercentPerSecond ?? 2} % of the image's pages), 8–64 bytes each`,
    )
    const bar = options.progress === false ? undefined : progressBar(options.progress ?? process.stderr)
    const summary = await migrate({
      node: source.node,
      workload,
      target: target.id,
      ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
    })
    bar?.done()
    await writer.stop()

    const moved = FileWorkload.open({ id: 'vm-1', path: join(target.imagesDir, 'vm-1.img') })
    const targetDigestMatches =
      (await imagePageDigest(moved.sizeBytes, (o, l) => moved.read(o, l))) === summary.digest
    moved.close()
    const leader = leaderOf(nodes)
    const placedOn = leader
      ? ((await leader.node.state.get('placement/vm-1')) as { host?: string })?.host
      : undefined
    const commitIndex = leader?.node.health().components.consensus?.details?.commitIndex
    for (const line of formatSummary(summary, {
      writes: writer.writes(),
      placedOn,
      commitIndex,
      targetDigestMatches,
    }))
      print(line)
    const exitCode = targetDigestMatches && placedOn === target.id ? 0 : 1

    if (options.serve) {
      const server = createServer(
        createObservabilityHandler({ metrics: source.metrics, health: () => source.node.health() }),
      )
      await new Promise<void>((resolve) => server.listen(options.serve?.port, '127.0.0.1', resolve))
      print(
        `serving /metrics and /health of ${source.id} on http://127.0.0.1:${options.serve.port} (Ctrl-C stops)`,
      )
      await options.serve.untilStopped()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    return { exitCode, summary, ...(placedOn ? { placedOn } : {}), targetDigestMatches }
  } finally {
    workload?.close()
    await stopDemoCluster(nodes)
    rmSync(root, { recursive: true, force: true })
    print('all nodes stopped, temporary files removed')
  }
}

function ms(startMs: number): string {
  const elapsed = performance.now() - startMs
  return elapsed < 1000 ? `${elapsed.toFixed(0)} ms` : `${(elapsed / 1000).toFixed(2)} s`
}
