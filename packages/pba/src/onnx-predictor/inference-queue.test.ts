import { describe, expect, it } from 'vitest'
import { type InferenceJob, InferenceQueue } from './inference-queue.js'

describe('InferenceQueue', () => {
  it('runs one job at a time and keeps only the newest waiting job', async () => {
    const ran: number[] = []
    let release: () => void = () => {}
    const queue = new InferenceQueue<string>(async (job: InferenceJob<string>) => {
      ran.push(job.observedAtMs)
      if (job.observedAtMs === 1) await new Promise<void>((resolve) => (release = resolve))
    })
    const job = (observedAtMs: number) => ({ model: 'm', rows: [], observedAtMs })
    queue.submit(job(1))
    queue.submit(job(2))
    queue.submit(job(3)) // replaces 2, which never runs
    expect(ran).toEqual([1])
    release()
    await queue.settled()
    expect(ran).toEqual([1, 3])
    queue.submit(job(4))
    await queue.settled()
    expect(ran).toEqual([1, 3, 4])
  })
})
