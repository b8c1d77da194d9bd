import { createServer } from 'node:net'

/** Ports handed out to child processes: below Linux's ephemeral range (32768–60999). */
const LOW_PORT = 20_000
const HIGH_PORT = 32_000
/** Ports owned by one test worker: the range split into disjoint slices, one per worker. */
const SLICE_PORTS = 500
const SLICES = Math.floor((HIGH_PORT - LOW_PORT) / SLICE_PORTS)

/** This worker's slice: vitest numbers its concurrent workers 1…n in `VITEST_POOL_ID`. */
const sliceStart = LOW_PORT + (Number(process.env.VITEST_POOL_ID ?? 0) % SLICES) * SLICE_PORTS
/** Ports of the slice are handed out in turn, so a port given out once is not given out again soon. */
let nextOffset = Math.floor(Math.random() * SLICE_PORTS)

/**
 * A TCP port free on loopback now, for a child process to listen on later.
 *
 * A port the OS hands out (port 0) is an ephemeral one, which an outgoing connection of a concurrent test may
 * take before the child binds it; a random port below that range may be drawn by a concurrent test file too, or
 * again while a killed member is down between its runs. So each worker draws from its own slice, in turn, and
 * checks the port by binding it: no two tests running at once get the same port. Test support.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < SLICE_PORTS; attempt++) {
    const port = sliceStart + (nextOffset % SLICE_PORTS)
    nextOffset++
    if (await canListen(port)) return port
  }
  throw new Error(`no free port in ${sliceStart}–${sliceStart + SLICE_PORTS - 1}`)
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
