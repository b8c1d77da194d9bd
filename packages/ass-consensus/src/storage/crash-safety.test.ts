import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { seededRandom } from '@dwcp/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteRaftStorage } from './sqlite-raft-storage.js'
import { compileStorageSources } from './test-fixtures/compile-sources.js'
import { entryBytes } from './test-fixtures/crash-entry-bytes.js'

const WRITER = fileURLToPath(new URL('./test-fixtures/crash-writer.mjs', import.meta.url))
const ROUNDS = 4
const SEED = 0x5eed_0001
/** How long after the writer's first save the kill may land: long enough for hundreds of synced saves. */
const MIN_KILL_DELAY_MS = 30
const MAX_KILL_DELAY_MS = 400
const WRITER_START_TIMEOUT_MS = 8_000

/** What one writer run printed before it was killed. */
interface WriterRun {
  /** Indexes whose `save` had returned. */
  reportedIndexes: number[]
  /** Whether the writer got as far as its first save (the new term and vote). */
  ready: boolean
}

/**
 * Runs the writer (on the storage code compiled into `compiledDirectory`) against the store at `path`, and
 * SIGKILLs it `killDelayMs` after it reported ready.
 */
function runWriterUntilKilled(
  compiledDirectory: string,
  path: string,
  killDelayMs: number,
): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, compiledDirectory, path, 'n1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const run: WriterRun = { reportedIndexes: [], ready: false }
    let pending = ''
    let stderr = ''
    const startTimer = setTimeout(() => child.kill('SIGKILL'), WRITER_START_TIMEOUT_MS)
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (line === 'ready') {
          run.ready = true
          clearTimeout(startTimer)
          setTimeout(() => child.kill('SIGKILL'), killDelayMs)
        } else {
          run.reportedIndexes.push(Number(line))
        }
      }
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(startTimer)
      if (signal === 'SIGKILL' && run.ready) resolve(run)
      else
        reject(
          new Error(
            `writer ended with code ${code}, signal ${signal}, before or without the kill:\n${stderr}`,
          ),
        )
    })
  })
}

describe('SQLite raft storage across crashes', () => {
  let directory: string

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'dwcp-raft-crash-'))
  })

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true })
  })

  it('keeps every save that returned when the writer is killed at random moments', async () => {
    const path = join(directory, 'state.db')
    const compiledDirectory = join(directory, 'compiled')
    compileStorageSources(compiledDirectory)
    const random = seededRandom(SEED)
    let highestSaved = 0
    for (let round = 1; round <= ROUNDS; round += 1) {
      const killDelayMs =
        MIN_KILL_DELAY_MS + Math.floor(random.next() * (MAX_KILL_DELAY_MS - MIN_KILL_DELAY_MS))
      const run = await runWriterUntilKilled(compiledDirectory, path, killDelayMs)
      const reported = run.reportedIndexes
      expect(reported, `round ${round}: indexes are reported in order`).toStrictEqual(
        reported.map((_, offset) => highestSaved + 1 + offset),
      )
      highestSaved = reported.at(-1) ?? highestSaved

      const storage = openSqliteRaftStorage({ path, nodeId: 'n1', clusterId: 'crash-test' })
      const { hardState, entries, snapshot } = storage.load()
      storage.close()
      const snapshotIndex = snapshot?.index ?? 0
      const lastIndex = entries.at(-1)?.index ?? snapshotIndex
      // The save in flight at the kill may have committed without being reported, but no more than that one.
      expect(lastIndex === highestSaved || lastIndex === highestSaved + 1, `round ${round}: last index`).toBe(
        true,
      )
      for (const entry of entries) {
        expect(entry.data, `round ${round}: bytes of entry ${entry.index}`).toStrictEqual(
          entryBytes(entry.index),
        )
      }
      if (snapshot !== undefined) expect(snapshot.data).toStrictEqual(entryBytes(snapshot.index))
      // Entry and hard state are written in one transaction: the commit index always names the last entry.
      expect(hardState).toStrictEqual({ term: round, vote: 'n1', commit: lastIndex })
      highestSaved = lastIndex
    }
    expect(highestSaved).toBeGreaterThan(ROUNDS)
  }, 20_000)
})
