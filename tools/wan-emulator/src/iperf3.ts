import { TimeoutError } from '@dwcp/core'
import type { WanEmulator } from './emulator.js'

/** A one-off iperf3 server in namespace B. */
export interface Iperf3Server {
  stop(): void
}

/** Starts `nice -n niceValue iperf3 -s -1` bound to B's address and waits until it listens. */
export function startIperf3Server(
  emulator: WanEmulator,
  port: string,
  niceValue: number,
  timeoutMs = 10_000,
): Promise<Iperf3Server> {
  const args = [
    '-n',
    String(niceValue),
    'iperf3',
    '-s',
    '-1',
    '-B',
    emulator.addressB,
    '-p',
    port,
    '--forceflush',
  ]
  const child = emulator.run('b', 'nice', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const server = { stop: () => void child.kill('SIGTERM') }
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      server.stop()
      reject(new TimeoutError('iperf3 server start', timeoutMs))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Server listening')) {
        clearTimeout(timer)
        resolve(server)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      reject(new Error(`iperf3 server exited (code ${code}) before listening: ${output.trim()}`))
    })
  })
}
