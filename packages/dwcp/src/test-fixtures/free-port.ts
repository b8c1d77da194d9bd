import { closeSync, mkdirSync, openSync, statSync, utimesSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Ports handed out to child processes: below Linux's ephemeral range (32768–60999). */
const LOW_PORT = 20_000
const HIGH_PORT = 32_000
/** Where claims on ports are kept, shared by every test process of the machine. */
const CLAIMS_DIR = join(tmpdir(), 'dwcp-test-ports')
/** A claim older than this is taken to be from an earlier run. */
const CLAIM_TTL_MS = 15 * 60 * 1000

/**
 * A TCP port free on loopback now, for a child process to listen on later.
 *
 * A port the OS hands out (port 0) is an ephemeral one, which an outgoing connection of a concurrent test may
 * take before the child binds it. So ports come from below that range, and each is claimed first with a file
 * created exclusively in a directory every test process shares: no two callers, in any worker or process, get
 * the same port within a run (a port checked free and handed out is not handed out again while the child that
 * will bind it starts). The port is also checked by binding it, for anything else that holds it. Test support.
 */
export async function freePort(): Promise<number> {
  mkdirSync(CLAIMS_DIR, { recursive: true })
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW_PORT + Math.floor(Math.random() * (HIGH_PORT - LOW_PORT))
    if (claim(port) && (await canListen(port))) return port
  }
  throw new Error(`no free port found in ${LOW_PORT}–${HIGH_PORT}`)
}

/** Claims `port` for this run: true when no fresh claim existed. */
function claim(port: number): boolean {
  const path = join(CLAIMS_DIR, String(port))
  try {
    closeSync(openSync(path, 'wx'))
    return true
  } catch {
    try {
      if (Date.now() - statSync(path).mtimeMs < CLAIM_TTL_MS) return false
      const now = new Date()
      utimesSync(path, now, now)
      return true
    } catch {
      return false
    }
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
