import { describe, expect, it } from 'vitest'
import { FrameCorruptError } from './errors.js'
import { METRIC_NAMES } from './metrics.js'
import { recordError, UNEXPECTED_ERROR_CODE } from './record-error.js'
import { memoryMetrics } from './testing/index.js'

describe('recordError', () => {
  it('counts DWCP errors by their code and anything else as unexpected, by component', () => {
    const metrics = memoryMetrics()
    recordError(metrics, 'pba', new FrameCorruptError('x'))
    recordError(metrics, 'pba', new TypeError('y'))
    recordError(metrics, 'pba', new FrameCorruptError('z'))
    recordError(undefined, 'pba', new Error('no registry: nothing to count'))
    const count = (code: string) => metrics.counterValue(METRIC_NAMES.errors, { component: 'pba', code })
    expect(count('DWCP_ERR_FRAME_CORRUPT')).toBe(2)
    expect(count(UNEXPECTED_ERROR_CODE)).toBe(1)
  })
})
