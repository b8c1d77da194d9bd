// One process of `pnpm bench migrate`, run inside a WAN emulator namespace. Every role prints JSON lines on
// stdout ({"ready": …} once listening, then its result) and stops when its stdin closes.
//   node migrate-peer.mjs target <host> <port> <sourceHost> <port> <workDir>
//       a DWCP internet-mode node (`tcp://`, plaintext) accepting migrations into <workDir>/images; prints
//       {"committed": …, "digest": …} once an image is committed and its page digest computed again from its file.
//   node migrate-peer.mjs source <host> <port> <targetHost> <port> <workDir> <image> <dirtyPercent>
//       a DWCP internet-mode node holding <image> as workload `vm-1`: registers its placement, starts a writer
//       dirtying <dirtyPercent> % of the pages per second, migrates it to the target and prints
//       {"summary": …, "writer": …, "cpu": …}.
//   node migrate-peer.mjs probe-target <host> <port>  /  probe-source <host> <port> <MiB> <targetHost> <port>
//       the transport alone: transfers discarded by the target; prints {"probe": …} (see runProbe).
//   node migrate-peer.mjs sink <host> <port>
//       a plain TCP sink: counts the bytes of one connection, answers its end with one byte, prints {"bytes": …}.
//   node migrate-peer.mjs zstd-send <host> <port> <image> <level>
//       `zstd -<level> -T1 -c <image>` piped into one TCP connection to the sink; prints {"ms": …, "bytes": …}
//       timed from the start of zstd until the sink acknowledged the last byte.
// Both nodes are members of one 2-member cluster (CRDT state in internet mode) so the placement can be written.
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { acceptMigrations, createNode, FileWorkload, imagePageDigest, migrate, registerWorkload } from 'dwcp'
import { startWriter } from './migrate-image.mjs'

const [role, ...args] = process.argv.slice(2)
const emit = (value) => process.stdout.write(`${JSON.stringify(value)}\n`)
const untilStdinCloses = () =>
  new Promise((resolve) => {
    process.stdin.on('close', resolve)
    process.stdin.on('end', resolve)
    process.stdin.resume()
  })
const cpu = () => {
  const usage = process.cpuUsage()
  return { userMs: usage.user / 1000, systemMs: usage.system / 1000 }
}

/** A 2-member internet-mode cluster node listening on `tcp://host:port` without TLS. */
function clusterNode(id, host, port, peerHost, peerPort, workDir) {
  const self = `tcp://${host}:${port}`
  const peer = `tcp://${peerHost}:${peerPort}`
  const stateDir = join(workDir, 'state')
  mkdirSync(stateDir, { recursive: true })
  return createNode('internet', {
    nodeId: id,
    clusterId: 'bench-migrate',
    listen: [self],
    tls: false,
    metrics: false,
    cluster: {
      members: [
        { id: 'source', address: id === 'source' ? self : peer },
        { id: 'target', address: id === 'target' ? self : peer },
      ],
      dataDir: stateDir,
    },
  })
}

if (role === 'target') {
  const [host, port, sourceHost, sourcePort, workDir] = args
  const node = clusterNode('target', host, port, sourceHost, sourcePort, workDir)
  await node.start()
  const dir = join(workDir, 'images')
  mkdirSync(dir, { recursive: true })
  const receiver = acceptMigrations(node, {
    dir,
    // Hashed after the commit's answer has left: hashing 2 GiB holds the event loop for seconds, which must not
    // count as the source's pause.
    onCommitted: ({ workloadId, path }) =>
      setTimeout(() => {
        const moved = FileWorkload.open({ id: workloadId, path })
        imagePageDigest(moved.sizeBytes, (o, l) => moved.read(o, l))
          .then((digest) => emit({ committed: workloadId, digest }))
          .catch((error) => emit({ committed: workloadId, error: String(error) }))
          .finally(() => moved.close())
      }, 50),
  })
  emit({ ready: 'target' })
  await untilStdinCloses()
  receiver.close()
  emit({ cpu: cpu() })
  await node.stop()
  process.exit(0)
} else if (role === 'source') {
  const [host, port, targetHost, targetPort, workDir, image, dirtyPercent] = args
  const node = clusterNode('source', host, port, targetHost, targetPort, workDir)
  await node.start()
  if (!node.session('target')) await node.connect(`tcp://${targetHost}:${targetPort}`)
  const workload = FileWorkload.open({ id: 'vm-1', path: image })
  await registerWorkload(node, workload)
  emit({ ready: 'source' })
  // Let the node take a few path samples (one per second) so the convergence has a forecast to start with.
  await new Promise((resolve) => setTimeout(resolve, 2500))
  const cpuBefore = cpu()
  const writer = startWriter(workload, Number(dirtyPercent))
  const progress = []
  let lastRound = 0
  const startedMs = performance.now()
  const summary = await migrate({
    node,
    workload,
    target: 'target',
    onProgress: (p) => {
      if (p.round !== lastRound || p.phase !== progress.at(-1)?.phase) {
        lastRound = p.round
        const entry = { atMs: Math.round(performance.now() - startedMs), ...p }
        progress.push(entry)
        emit({ progress: entry })
      }
    },
  })
  await writer.stop()
  const cpuAfter = cpu()
  const placement = await node.state.get('placement/vm-1')
  emit({
    summary,
    placement,
    writer: { pagesPerSecond: writer.pagesPerSecond, writes: writer.writes() },
    cpu: { userMs: cpuAfter.userMs - cpuBefore.userMs, systemMs: cpuAfter.systemMs - cpuBefore.systemMs },
    sample: node.session('target')?.sample() ?? null,
    predictNow: (() => {
      try {
        return node.predict('target')
      } catch (error) {
        return { error: error.message }
      }
    })(),
    progress,
  })
  workload.close()
  await untilStdinCloses()
  await node.stop()
  process.exit(0)
} else if (role === 'probe-target') {
  // A node that discards every transfer through a positional sink (the transport alone, no decoding).
  const [host, port] = args
  const node = createNode('internet', {
    nodeId: 'probe-target',
    listen: [`tcp://${host}:${port}`],
    tls: false,
    metrics: false,
  })
  node.on('transfer', (_peer, incoming) => {
    incoming.accept({ positional: true, write: async () => {} }).catch(() => {})
  })
  await node.start()
  emit({ ready: 'probe-target' })
  await untilStdinCloses()
  await node.stop()
  process.exit(0)
} else if (role === 'probe-source') {
  // The transport on this path: one large transfer, then the same bytes as 8 MiB transfers one after another
  // (as migration rounds send their batches), then 8 MiB transfers four at a time.
  const [host, port, totalMiB, targetHost, targetPort] = args
  const node = createNode('internet', {
    nodeId: 'probe-source',
    listen: [`tcp://${host}:${port}`],
    tls: false,
    metrics: false,
  })
  await node.start()
  await node.connect(`tcp://${targetHost}:${targetPort}`)
  await new Promise((resolve) => setTimeout(resolve, 1000)) // let the extra streams join
  const total = Number(totalMiB) * 2 ** 20
  const block = new Uint8Array(8 * 2 ** 20)
  for (let i = 0; i < block.length; i += 4) block[i] = (i * 2654435761) >>> 24
  const source = (sizeBytes) => ({
    sizeBytes,
    read: async (o, l) =>
      block.subarray(
        o % block.length,
        (o % block.length) + Math.min(l, sizeBytes - o, block.length - (o % block.length)),
      ),
  })
  const timed = async (fn) => {
    const t0 = performance.now()
    await fn()
    const ms = performance.now() - t0
    return { ms, mbps: (total * 8) / ms / 1000 }
  }
  const oneTransfer = await timed(() => node.transfer('probe-target', source(total)))
  const sequential8MiB = await timed(async () => {
    for (let sent = 0; sent < total; sent += block.length)
      await node.transfer('probe-target', source(block.length))
  })
  const fourAtATime8MiB = await timed(async () => {
    let next = 0
    const lane = async () => {
      while (next < total) {
        next += block.length
        await node.transfer('probe-target', source(block.length))
      }
    }
    await Promise.all([lane(), lane(), lane(), lane()])
  })
  emit({
    probe: {
      totalBytes: total,
      oneTransfer,
      sequential8MiB,
      fourAtATime8MiB,
      sample: node.session('probe-target')?.sample() ?? null,
    },
  })
  await node.stop()
  process.exit(0)
} else if (role === 'sink') {
  const [host, port] = args
  const server = createServer((socket) => {
    let bytes = 0
    socket.on('data', (chunk) => {
      bytes += chunk.length
    })
    socket.on('end', () => {
      socket.end(Buffer.from([1]))
      emit({ bytes })
      server.close()
    })
  })
  server.listen(Number(port), host, () => emit({ ready: 'sink' }))
  await untilStdinCloses()
  server.close()
  process.exit(0)
} else if (role === 'zstd-send') {
  const [host, port, image, level] = args
  const startedMs = performance.now()
  const zstd = spawn('zstd', [`-${level}`, '-T1', '-q', '-c', image], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const socket = connect({ host, port: Number(port), noDelay: true })
  let bytes = 0
  zstd.stdout.on('data', (chunk) => {
    bytes += chunk.length
  })
  zstd.stdout.pipe(socket)
  const zstdExit = new Promise((resolve) =>
    zstd.once('exit', (code) => resolve({ code, zstdWallMs: performance.now() - startedMs })),
  )
  const acked = new Promise((resolve, reject) => {
    socket.once('data', () => resolve(performance.now()))
    socket.once('error', reject)
  })
  const [{ code, zstdWallMs }, ackedMs] = await Promise.all([zstdExit, acked])
  socket.destroy()
  if (code !== 0) throw new Error(`zstd exited with ${code}`)
  emit({ ms: ackedMs - startedMs, bytes, zstdWallMs })
  process.exit(0)
} else {
  console.error('usage: migrate-peer.mjs target|source|sink|zstd-send …')
  process.exit(2)
}
