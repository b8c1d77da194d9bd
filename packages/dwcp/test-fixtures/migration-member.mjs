// One member of a 3-member datacenter (Raft) cluster in its own process, for the tests that SIGKILL a migration's
// source, target or leader: a node on TCP (plaintext, loopback) with state.db in its data directory, receiving
// migrations into its images directory. Commands arrive as JSON lines on stdin; events leave as JSON lines on
// stdout:
//   {"event":"ready"} once serving
//   {"cmd":"host","id","sizeBytes"}: creates <images>/<id>.img, registers its placement here and starts a writer
//     that stamps a random page with the next sequence number every 2 ms: {"event":"acked","page","seq"} after
//     each write returned (the write is in the file: a SIGKILL does not lose it)
//   {"cmd":"migrate","id","to"}: {"event":"migrated","digest"} or {"event":"migrate-failed","error"}
//   {"cmd":"placement","id"}: {"event":"placement","host"} (asked of the leader) or {"event":"placement","error"}
//   {"cmd":"role"}: {"event":"role","role"}
// and {"event":"committed","workloadId"} when a migrated image is committed here.
// Usage: node migration-member.mjs '<json: {nodeId, port, members, dataDir, imagesDir, graceMs}>'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { acceptMigrations, createNode, FileWorkload, migrate, readPlacement, registerWorkload } from 'dwcp'

const config = JSON.parse(process.argv[2])
const emit = (value) => process.stdout.write(`${JSON.stringify(value)}\n`)
mkdirSync(config.imagesDir, { recursive: true })
const node = createNode('datacenter', {
  nodeId: config.nodeId,
  clusterId: 'kill-test',
  listen: [`tcp://127.0.0.1:${config.port}`],
  tls: false,
  metrics: false,
  cluster: { members: config.members, dataDir: config.dataDir, electionTimeoutMs: 150 },
})
await node.start()
acceptMigrations(node, {
  dir: config.imagesDir,
  verifiedGraceMs: config.graceMs,
  onCommitted: ({ workloadId }) => emit({ event: 'committed', workloadId }),
})
emit({ event: 'ready' })

const workloads = new Map()
const PAGE = 4096

async function host(id, sizeBytes) {
  const workload = FileWorkload.create({ id, path: join(config.imagesDir, `${id}.img`), sizeBytes })
  workloads.set(id, workload)
  await registerWorkload(node, workload)
  let seq = 0
  const stamp = new Uint8Array(8)
  const view = new DataView(stamp.buffer)
  ;(async () => {
    for (;;) {
      seq++
      const page = Math.floor(Math.random() * (sizeBytes / PAGE))
      view.setBigUint64(0, BigInt(seq))
      try {
        await workload.write(page * PAGE, stamp)
      } catch {
        return
      }
      emit({ event: 'acked', page, seq })
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  })()
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line)
  const run = async () => {
    if (command.cmd === 'host') await host(command.id, command.sizeBytes)
    else if (command.cmd === 'migrate') {
      try {
        const summary = await migrate({ node, workload: workloads.get(command.id), target: command.to })
        emit({ event: 'migrated', digest: summary.digest })
      } catch (error) {
        emit({ event: 'migrate-failed', error: String(error) })
      }
    } else if (command.cmd === 'placement') {
      try {
        emit({ event: 'placement', host: (await readPlacement(node, command.id))?.host ?? null })
      } catch (error) {
        emit({ event: 'placement', error: String(error) })
      }
    } else if (command.cmd === 'role') {
      emit({ event: 'role', role: node.health().components.consensus?.details?.role ?? null })
    }
  }
  run().catch((error) => emit({ event: 'error', error: String(error) }))
})
