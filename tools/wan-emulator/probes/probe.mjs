// Traffic probes run inside a WAN emulator namespace with `ip netns exec NS node probe.mjs COMMAND ...`.
// Each prints JSON lines on stdout: `{"event":"ready"}` once listening, then one result line.
// Servers stop when their stdin ends, so a parent that dies takes them along.
import { createSocket } from 'node:dgram'
import { connect, createServer } from 'node:net'

const [command, ...args] = process.argv.slice(2)
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`)
const nowMs = () => Number(process.hrtime.bigint()) / 1e6
const onStdinEnd = (action) => {
  process.stdin.on('end', action)
  process.stdin.on('error', action)
  process.stdin.resume()
}

/** echo-server HOST PORT: sends every UDP datagram back to its source. */
function echoServer(host, port) {
  const socket = createSocket('udp4')
  socket.on('message', (message, remote) => socket.send(message, remote.port, remote.address))
  socket.bind(Number(port), host, () => print({ event: 'ready' }))
  onStdinEnd(() => socket.close())
}

/** rtt HOST PORT COUNT INTERVAL_MS TIMEOUT_MS: round trips of numbered probes, lost ones left out. */
function rtt(host, port, count, intervalMs, timeoutMs) {
  const total = Number(count)
  const sentAtMs = new Map()
  const rttMs = []
  const socket = createSocket('udp4')
  socket.on('message', (message) => {
    const sequence = message.readUInt32BE(0)
    const sent = sentAtMs.get(sequence)
    if (sent === undefined) return
    sentAtMs.delete(sequence)
    rttMs.push(nowMs() - sent)
  })
  let sequence = 0
  const timer = setInterval(() => {
    const message = Buffer.alloc(64)
    message.writeUInt32BE(sequence, 0)
    sentAtMs.set(sequence, nowMs())
    socket.send(message, Number(port), host)
    sequence += 1
    if (sequence === total) {
      clearInterval(timer)
      setTimeout(() => {
        print({ event: 'result', sent: total, rttMs })
        socket.close()
      }, Number(timeoutMs))
    }
  }, Number(intervalMs))
}

/** udp-sink HOST PORT: counts datagrams until stdin ends. */
function udpSink(host, port) {
  let received = 0
  let bytes = 0
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 })
  socket.on('message', (message) => {
    received += 1
    bytes += message.length
  })
  socket.bind(Number(port), host, () => print({ event: 'ready' }))
  onStdinEnd(() => {
    print({ event: 'result', received, bytes })
    socket.close()
  })
}

/** udp-source HOST PORT COUNT PACKETS_PER_S SIZE_BYTES: paced datagrams, then exits. */
function udpSource(host, port, count, packetsPerS, sizeBytes) {
  const total = Number(count)
  const rate = Number(packetsPerS)
  const message = Buffer.alloc(Number(sizeBytes))
  const socket = createSocket({ type: 'udp4', sendBufferSize: 8 << 20 })
  socket.connect(Number(port), host, () => {
    const startMs = nowMs()
    let sent = 0
    const pump = () => {
      const due = Math.min(total, Math.ceil(((nowMs() - startMs) * rate) / 1000))
      for (; sent < due; sent += 1) socket.send(message)
      if (sent < total) setTimeout(pump, 1)
      else socket.close(() => print({ event: 'result', sent, durationMs: nowMs() - startMs }))
    }
    pump()
  })
}

/** tcp-sink HOST PORT: counts bytes over all connections; cumulative samples every 100 ms. */
function tcpSink(host, port) {
  let bytes = 0
  const startMs = nowMs()
  const samples = []
  const timer = setInterval(() => samples.push([nowMs() - startMs, bytes]), 100)
  const server = createServer((socket) => {
    socket.on('data', (chunk) => {
      bytes += chunk.length
    })
    socket.on('error', () => socket.destroy())
  })
  server.listen(Number(port), host, () => print({ event: 'ready' }))
  onStdinEnd(() => {
    clearInterval(timer)
    print({ event: 'result', bytes, samples })
    server.close()
    process.exit(0)
  })
}

/** tcp-source HOST PORT DURATION_MS STREAMS: bulk data on parallel connections for a while. */
function tcpSource(host, port, durationMs, streams) {
  const chunk = Buffer.alloc(256 << 10)
  const endMs = nowMs() + Number(durationMs)
  let open = Number(streams)
  let sentBytes = 0
  for (let i = 0; i < Number(streams); i += 1) {
    const socket = connect(Number(port), host)
    const write = () => {
      while (nowMs() < endMs) {
        sentBytes += chunk.length
        if (!socket.write(chunk)) return
      }
      socket.end()
    }
    socket.on('connect', write)
    socket.on('drain', write)
    socket.on('close', () => {
      open -= 1
      if (open === 0) print({ event: 'result', sentBytes })
    })
    socket.on('error', (error) => print({ event: 'error', message: error.message }))
  }
}

const commands = {
  'echo-server': echoServer,
  rtt,
  'udp-sink': udpSink,
  'udp-source': udpSource,
  'tcp-sink': tcpSink,
  'tcp-source': tcpSource,
}
const run = commands[command]
if (run === undefined) {
  process.stderr.write(`usage: probe.mjs ${Object.keys(commands).join('|')} ARGS...\n`)
  process.exit(2)
}
run(...args)
