import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from './test-fixtures/harness.js'
import { defaultTracesDirectory, workerTrainer } from './trainer.js'

const temp = tempDir('trainer')
afterAll(() => temp.remove())

describe('the PBA trainer in a worker', () => {
  it('finds the trace set beside @dwcp/pba', () => {
    expect(defaultTracesDirectory()).toMatch(/pba[/\\]traces$/)
  })

  it('refuses up front, saying why, when there is no trace set', async () => {
    const request = {
      model: 'datacenter' as const,
      tracesDirectory: join(temp.dir, 'none'),
      outDirectory: temp.dir,
    }
    await expect(workerTrainer(request, () => {}, new AbortController().signal)).rejects.toThrow(
      /no trace set at .*sources\.csv missing/,
    )
  })

  it('loads the trainer in the worker and reports its failure on an unusable trace set', async () => {
    const traces = join(temp.dir, 'traces')
    mkdirSync(traces, { recursive: true })
    writeFileSync(join(traces, 'sources.csv'), 'not,a,trace,list\n')
    const lines: string[] = []
    const request = {
      model: 'datacenter' as const,
      tracesDirectory: traces,
      outDirectory: join(temp.dir, 'out'),
    }
    // The trainer's own validation message proves @dwcp/pba loaded and ran inside the worker.
    await expect(
      workerTrainer(request, (line) => lines.push(line), new AbortController().signal),
    ).rejects.toThrow(/sources\.csv: needs the columns file/)
  })

  // A real run takes about 20 s on two cores, too long for every test run: opt in with DWCP_TRAIN_TEST=1.
  it.skipIf(process.env.DWCP_TRAIN_TEST !== '1')(
    'trains the datacenter model on the shipped traces, streaming epochs',
    async () => {
      const lines: string[] = []
      const out = join(temp.dir, 'models')
      const request = {
        model: 'datacenter' as const,
        tracesDirectory: defaultTracesDirectory(),
        outDirectory: out,
      }
      const files = await workerTrainer(request, (line) => lines.push(line), new AbortController().signal)
      expect(files).toEqual([join(out, 'datacenter.onnx')])
      expect(lines.some((line) => /datacenter epoch 1:/.test(line))).toBe(true)
    },
    120_000,
  )
})
