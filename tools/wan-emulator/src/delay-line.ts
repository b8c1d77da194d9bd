import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { InvalidArgumentError, NativeUnavailableError, TimeoutError } from '@dwcp/core'
import { type LinkParams, oneWayDelayNs } from './profiles.js'

/** Counters of one direction of the delay line. */
export interface DirectionCounters {
  /** Packets read from the sending namespace. */
  packetsIn: number
  bytesIn: number
  /** Packets written into the receiving namespace. */
  packetsOut: number
  bytesOut: number
  /** Dropped by the random loss draw. */
  droppedLoss: number
  /** Dropped because the bottleneck queue was full (`queueBytes`). */
  droppedQueue: number
  /** Dropped because the in-flight buffer was full (only when the rate is unlimited or the buffer too small). */
  droppedBuffer: number
  /** Writes into the receiving TUN device that failed. */
  writeErrors: number
  /** Largest bottleneck queue seen, in bytes. */
  backlogBytesMax: number
  /** Largest number of bytes held (queued plus in flight). */
  bufferedBytesMax: number
  /** Packets held right now. */
  bufferedPackets: number
}

/** Counters of both directions since the delay line started. */
export interface DelayLineStats {
  /** Nanoseconds since the delay line started. */
  elapsedNs: number
  /** Packets sent by namespace A towards B. */
  aToB: DirectionCounters
  /** Packets sent by namespace B towards A. */
  bToA: DirectionCounters
}

/** How the delay line is started. */
export interface DelayLineConfig {
  binary: string
  nsA: string
  nsB: string
  /** TUN device name in both namespaces. */
  device: string
  link: LinkParams
  seed: number
  jitterDistribution: 'uniform' | 'normal'
  /** Bytes held per direction (queue plus in flight); the delay line sizes it when left out. */
  bufferBytes?: number
  /** Nice value tried at start; failures are reported on stderr and ignored. */
  niceValue: number
}

/** Command-line flags of `native/delay-line.c` for a configuration. */
export function delayLineArgs(config: DelayLineConfig): string[] {
  const { aToBNs, bToANs } = oneWayDelayNs(config.link)
  const args = [
    ...['--ns-a', `/var/run/netns/${config.nsA}`, '--ns-b', `/var/run/netns/${config.nsB}`],
    ...['--tun-a', config.device, '--tun-b', config.device],
    ...['--delay-ab-ns', String(aToBNs), '--delay-ba-ns', String(bToANs)],
    ...[
      '--jitter-ns',
      String(Math.round(config.link.jitterMs * 1e6)),
      '--jitter-dist',
      config.jitterDistribution,
    ],
    ...['--loss', String(config.link.lossRate), '--rate-bps', String(Math.round(config.link.rateBps))],
    ...['--queue-bytes', String(config.link.queueBytes), '--seed', String(config.seed)],
    ...['--nice', String(config.niceValue), '--watch-stdin'],
  ]
  if (config.bufferBytes !== undefined) args.push('--buffer-bytes', String(config.bufferBytes))
  return args
}

/** The `set …` line that makes a running delay line apply `link` (everything but the buffer size). */
export function delayLineSetCommand(link: LinkParams): string {
  const { aToBNs, bToANs } = oneWayDelayNs(link)
  const values = [
    `delay-ab-ns=${aToBNs}`,
    `delay-ba-ns=${bToANs}`,
    `jitter-ns=${Math.round(link.jitterMs * 1e6)}`,
    `loss=${link.lossRate}`,
    `rate-bps=${Math.round(link.rateBps)}`,
    `queue-bytes=${link.queueBytes}`,
  ]
  return `set ${values.join(' ')}\n`
}

interface Pending<T> {
  resolve: (value: T) => void
  reject: (error: Error) => void
}

/** A running delay line: counters on demand, and a clean stop. */
export class DelayLineProcess {
  /** Process id of the delay line. */
  readonly pid: number
  #child: ChildProcessWithoutNullStreams
  #pending: Pending<DelayLineStats>[] = []
  /** Link changes sent and not yet answered, in order (the delay line answers each line in turn). */
  #configuring: Pending<void>[] = []
  #final: DelayLineStats | undefined
  #exited: Promise<void>
  #running = true
  #stderr = ''

  private constructor(child: ChildProcessWithoutNullStreams, onReady: (error?: Error) => void) {
    this.#child = child
    this.pid = child.pid ?? -1
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-8192)
    })
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: { event?: string; message?: string } & Partial<DelayLineStats>
      try {
        message = JSON.parse(line)
      } catch {
        this.#stderr = `${this.#stderr}${line}\n`.slice(-8192)
        return
      }
      if (message.event === 'ready') onReady()
      else if (message.event === 'stats') this.#pending.shift()?.resolve(message as DelayLineStats)
      else if (message.event === 'exit') this.#final = message as DelayLineStats
      else if (message.event === 'configured') this.#configuring.shift()?.resolve()
      else if (message.event === 'error') {
        const reason = message.message ?? 'refused'
        this.#configuring.shift()?.reject(new InvalidArgumentError('link', `delay line: ${reason}`))
      }
    })
    this.#exited = new Promise((resolve) => {
      const ended = (error: Error): void => {
        if (!this.#running) return
        this.#running = false
        onReady(error)
        for (const waiter of [...this.#pending.splice(0), ...this.#configuring.splice(0)])
          waiter.reject(error)
        resolve()
      }
      child.on('close', (code, signal) => {
        const detail = this.#stderr.trim() || 'no message'
        ended(new NativeUnavailableError(`delay line exited (code ${code}, signal ${signal}): ${detail}`))
      })
      child.on('error', (error) => {
        if (child.pid === undefined) ended(new NativeUnavailableError(`cannot run the delay line`, error))
      })
    })
  }

  /**
   * Starts the delay line and waits until both TUN devices exist.
   *
   * @throws NativeUnavailableError when it exits first (bad namespace, no /dev/net/tun…)
   * @throws TimeoutError when it is not ready within `timeoutMs`
   */
  static start(config: DelayLineConfig, timeoutMs = 10_000): Promise<DelayLineProcess> {
    const child = spawn(config.binary, delayLineArgs(config), { stdio: ['pipe', 'pipe', 'pipe'] })
    return new Promise((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => settle(new TimeoutError('delay line start', timeoutMs)), timeoutMs)
      const settle = (error?: Error): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error === undefined) resolve(line)
        else void line.stop().finally(() => reject(error))
      }
      const line: DelayLineProcess = new DelayLineProcess(child, settle)
    })
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.#running
  }

  /**
   * Current counters (asks the delay line with SIGUSR1).
   *
   * @throws NativeUnavailableError when the delay line has exited
   * @throws TimeoutError when it does not answer within `timeoutMs`
   */
  stats(timeoutMs = 5_000): Promise<DelayLineStats> {
    if (!this.#running) {
      return Promise.reject(new NativeUnavailableError(`delay line is not running: ${this.#stderr.trim()}`))
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError('delay line stats', timeoutMs)), timeoutMs)
      this.#pending.push({
        resolve: (stats) => {
          clearTimeout(timer)
          resolve(stats)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      this.#child.kill('SIGUSR1')
    })
  }

  /**
   * Changes the link while the delay line runs: packets already queued keep their times, later ones get the
   * new delay, jitter, loss, rate and queue. The per-direction buffer keeps the size it started with.
   *
   * @throws NativeUnavailableError when the delay line has exited
   * @throws InvalidArgumentError when the delay line refuses a value
   * @throws TimeoutError when it does not answer within `timeoutMs`
   */
  configure(link: LinkParams, timeoutMs = 5_000): Promise<void> {
    if (!this.#running) {
      return Promise.reject(new NativeUnavailableError(`delay line is not running: ${this.#stderr.trim()}`))
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError('delay line configure', timeoutMs)), timeoutMs)
      this.#configuring.push({
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      this.#child.stdin.write(delayLineSetCommand(link))
    })
  }

  /**
   * Stops the delay line (SIGTERM, then SIGKILL after `timeoutMs`) and returns its final counters, or
   * `undefined` when it could not print them. Safe to call more than once.
   */
  async stop(timeoutMs = 3_000): Promise<DelayLineStats | undefined> {
    if (this.#running) {
      this.#child.stdin.end()
      this.#child.kill('SIGTERM')
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs)
      await this.#exited
      clearTimeout(timer)
    }
    return this.#final
  }
}
