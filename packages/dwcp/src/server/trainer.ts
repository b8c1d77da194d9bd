import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Worker } from 'node:worker_threads'

/** A model the PBA trainer builds. */
export type TrainableModel = 'datacenter' | 'internet'

/** One training run. */
export interface TrainRequest {
  model: TrainableModel
  /** Trace set (with `sources.csv`). */
  tracesDirectory: string
  /** Where `<model>.onnx` is written. */
  outDirectory: string
  /** @default 1 */
  seed?: number
}

/** Runs a training and reports each line the trainer prints; resolves with the files written. */
export type Trainer = (
  request: TrainRequest,
  onLine: (line: string) => void,
  signal: AbortSignal,
) => Promise<string[]>

/** Directory of the installed `@dwcp/pba` package. */
function pbaDirectory(): string {
  const entry = createRequire(import.meta.url).resolve('@dwcp/pba')
  return dirname(dirname(entry))
}

/** The trace set shipped beside `@dwcp/pba` in a source checkout; published packages leave it out. */
export function defaultTracesDirectory(): string {
  return join(pbaDirectory(), 'traces')
}

/**
 * Worker body: loads `@dwcp/pba` by path and runs its training command. An eval'd worker is CommonJS, hence
 * `require` of the package's CommonJS build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const pba = require(workerData.entry)
const command = {
  modes: [workerData.model],
  seed: workerData.seed,
  tracesDirectory: workerData.tracesDirectory,
  outDirectory: workerData.outDirectory,
  createdAt: new Date().toISOString(),
}
const files = pba.runTrainCommand(command, (line) => parentPort.postMessage({ line }))
parentPort.postMessage({ files })
`

/**
 * Trains in a worker thread, so the API and the node keep serving through the tens of seconds a GRU takes.
 * Refuses up front, with the reason, when the trace set is missing.
 */
export const workerTrainer: Trainer = (request, onLine, signal) => {
  if (!existsSync(join(request.tracesDirectory, 'sources.csv')))
    return Promise.reject(
      new Error(
        `cannot train the ${request.model} model: no trace set at ${request.tracesDirectory} (sources.csv missing); ` +
          'the traces ship with the source tree of @dwcp/pba, not with its published package',
      ),
    )
  const entry = createRequire(import.meta.url).resolve('@dwcp/pba')
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ...request, entry, seed: request.seed ?? 1 },
    })
    let files: string[] | undefined
    const abort = () => void worker.terminate()
    signal.addEventListener('abort', abort, { once: true })
    worker.on('message', (message: { line?: string; files?: string[] }) => {
      if (message.line !== undefined) onLine(message.line)
      if (message.files !== undefined) files = message.files
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      signal.removeEventListener('abort', abort)
      if (files) resolve(files)
      else reject(new Error(signal.aborted ? 'training aborted' : `the trainer exited with code ${code}`))
    })
  })
}
