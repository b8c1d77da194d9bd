import { describe, expect, it } from 'vitest'
import {
  bdpBytes,
  defaultQueueBytes,
  describeLink,
  oneWayDelayNs,
  PROFILES,
  resolveLink,
} from './profiles.js'

describe('PROFILES', () => {
  it('has the four named profiles with the issue’s values', () => {
    expect(PROFILES.lan).toMatchObject({ rttMs: 0, lossRate: 0, rateBps: 10e9, jitterMs: 0 })
    expect(PROFILES.wan50).toMatchObject({ rttMs: 50, lossRate: 0, rateBps: 1e9 })
    expect(PROFILES.wan100loss1).toMatchObject({ rttMs: 100, lossRate: 0.01, rateBps: 1e9 })
    expect(PROFILES.wan200loss2).toMatchObject({ rttMs: 200, lossRate: 0.02, rateBps: 100e6 })
  })

  it('sizes each queue to one bandwidth-delay product', () => {
    expect(PROFILES.wan50.queueBytes).toBe(6_250_000)
    expect(PROFILES.wan100loss1.queueBytes).toBe(12_500_000)
    expect(PROFILES.wan200loss2.queueBytes).toBe(2_500_000)
    expect(PROFILES.lan.queueBytes).toBe(64 << 10)
  })

  it('is frozen', () => {
    expect(Object.isFrozen(PROFILES)).toBe(true)
  })
})

describe('resolveLink', () => {
  it('copies a named profile', () => {
    const link = resolveLink('wan50')
    expect(link).toEqual(PROFILES.wan50)
    expect(link).not.toBe(PROFILES.wan50)
  })

  it('fills custom defaults: no jitter, no loss, a BDP queue of at least 64 KiB', () => {
    expect(resolveLink({ rttMs: 80, rateBps: 500e6 })).toMatchObject({
      name: 'custom',
      jitterMs: 0,
      lossRate: 0,
      queueBytes: bdpBytes(500e6, 80),
    })
    expect(resolveLink({ rttMs: 1, rateBps: 1e6 }).queueBytes).toBe(64 << 10)
    expect(defaultQueueBytes(0, 100)).toBe(4 << 20)
  })

  it.each([
    [{ rttMs: -1, rateBps: 1e9 }, 'rttMs'],
    [{ rttMs: Number.NaN, rateBps: 1e9 }, 'rttMs'],
    [{ rttMs: 10, rateBps: 1e9, lossRate: 1 }, 'lossRate'],
    [{ rttMs: 10, rateBps: -5 }, 'rateBps'],
    [{ rttMs: 10, rateBps: 1e9, queueBytes: 100 }, 'queueBytes'],
    [{ rttMs: 10, rateBps: 1e9, jitterMs: -2 }, 'jitterMs'],
  ])('rejects %o (%s)', (custom, argument) => {
    expect(() => resolveLink(custom)).toThrow(
      expect.objectContaining({
        code: 'DWCP_ERR_INVALID_ARGUMENT',
        data: expect.objectContaining({ argument }),
      }),
    )
  })

  it('rejects an unknown profile name', () => {
    expect(() => resolveLink('wan999' as 'lan')).toThrow(/unknown profile 'wan999'/)
  })
})

describe('oneWayDelayNs', () => {
  it('splits the RTT evenly, the odd nanosecond going B → A', () => {
    expect(oneWayDelayNs(PROFILES.wan100loss1)).toEqual({ aToBNs: 50_000_000, bToANs: 50_000_000 })
    expect(oneWayDelayNs({ ...PROFILES.lan, rttMs: 0.000003 })).toEqual({ aToBNs: 1, bToANs: 2 })
  })
})

describe('describeLink', () => {
  it('names every value with its unit', () => {
    expect(describeLink(PROFILES.wan200loss2)).toBe('rtt 200 ms, loss 2 %, 100 Mbit/s, queue 2500000 B')
    expect(describeLink({ ...PROFILES.lan, rateBps: 0, jitterMs: 2 })).toContain('±2 ms')
  })
})
