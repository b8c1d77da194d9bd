import { describe, expect, it } from 'vitest'
import { delayLineArgs } from './delay-line.js'
import { PROFILES } from './profiles.js'

describe('delayLineArgs', () => {
  it('passes one-way delays, jitter, loss, rate and queue in integer units', () => {
    const args = delayLineArgs({
      binary: '/x/delay-line',
      nsA: 'dwcp-a-1-abc',
      nsB: 'dwcp-b-1-abc',
      device: 'wan0',
      link: { ...PROFILES.wan100loss1, jitterMs: 0.5 },
      seed: 42,
      jitterDistribution: 'normal',
      niceValue: -10,
    })
    const flag = (name: string) => args[args.indexOf(name) + 1]
    expect(flag('--ns-a')).toBe('/var/run/netns/dwcp-a-1-abc')
    expect(flag('--delay-ab-ns')).toBe('50000000')
    expect(flag('--delay-ba-ns')).toBe('50000000')
    expect(flag('--jitter-ns')).toBe('500000')
    expect(flag('--jitter-dist')).toBe('normal')
    expect(flag('--loss')).toBe('0.01')
    expect(flag('--rate-bps')).toBe('1000000000')
    expect(flag('--queue-bytes')).toBe('12500000')
    expect(flag('--seed')).toBe('42')
    expect(args).toContain('--watch-stdin')
    expect(args).not.toContain('--buffer-bytes')
  })
})
