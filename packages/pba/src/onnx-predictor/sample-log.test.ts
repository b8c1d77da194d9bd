import { describe, expect, it } from 'vitest'
import { SampleLog } from './sample-log.js'

const row = (value: number) => Float64Array.of(value)

describe('SampleLog', () => {
  it('keeps the newest rows up to its capacity, oldest first', () => {
    const log = new SampleLog(3)
    expect(log.tail(1)).toBeUndefined()
    for (let i = 1; i <= 5; i++) log.push(row(i), i !== 4)
    expect(log.size).toBe(3)
    expect(log.measuredCount).toBe(2)
    expect(log.tail(2)!.map((r) => r[0])).toEqual([4, 5])
    expect(log.tail(4)).toBeUndefined()
    const series = log.toSeries()
    expect(series.rows.map((r) => r![0])).toEqual([3, 4, 5])
    expect(series.measured).toEqual([true, false, true])
  })

  it('refuses a capacity out of bounds', () => {
    expect(() => new SampleLog(0)).toThrow(expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }))
  })
})
