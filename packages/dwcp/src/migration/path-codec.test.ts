import type { Mode, PathSample } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import type { DwcpNode } from '../node.js'
import { codecForPath } from './path-codec.js'

function fakeNode(mode: Mode, sample?: Partial<PathSample>): DwcpNode {
  const full: PathSample = {
    at: 0,
    rttMs: 0,
    bandwidthBps: 0,
    lossRate: 0,
    jitterMs: 0,
    rdma: false,
    ...sample,
  }
  return { mode, session: () => (sample ? { sample: () => full } : undefined) } as unknown as DwcpNode
}

describe('codec per path', () => {
  it("follows the node's mode outside hybrid mode", () => {
    expect(codecForPath(fakeNode('datacenter'), 'p')).toEqual({
      pathClass: 'datacenter',
      fullRound: 'raw',
      level: 1,
    })
    expect(codecForPath(fakeNode('internet'), 'p')).toEqual({
      pathClass: 'internet',
      fullRound: 'frames',
      level: 3,
    })
  })

  it('classifies each peer path in hybrid mode, an unmeasured one as internet', () => {
    expect(codecForPath(fakeNode('hybrid', { rttMs: 0.3 }), 'p').pathClass).toBe('datacenter')
    expect(codecForPath(fakeNode('hybrid', { rttMs: 40, lossRate: 0.01 }), 'p').pathClass).toBe('internet')
    expect(codecForPath(fakeNode('hybrid', { rttMs: 0.3, lossRate: 0.02 }), 'p').pathClass).toBe('internet')
    expect(codecForPath(fakeNode('hybrid'), 'p').pathClass).toBe('internet')
  })
})
