import { describe, expect, it } from 'vitest'
import { formatDurationMs, parseDurationMs } from './duration.js'
import { formatRateBps, parseRateBps } from './rate.js'
import { formatSizeBytes, parseSizeBytes } from './size.js'
import { expectConfigError } from './test-fixtures/expect-config-error.js'

describe('durations', () => {
  it('parses the runbook forms into milliseconds', () => {
    expect(parseDurationMs('150ms')).toBe(150)
    expect(parseDurationMs('30s')).toBe(30_000)
    expect(parseDurationMs('5m')).toBe(300_000)
    expect(parseDurationMs('1h')).toBe(3_600_000)
    expect(parseDurationMs('2.5s')).toBe(2500)
    expect(parseDurationMs(' 10 s ')).toBe(10_000)
  })

  it('rejects garbage, negatives, bare numbers, unknown units, sub-millisecond values and overflow', () => {
    expectConfigError(() => parseDurationMs('soon', 'sync.timeout'), 'sync.timeout', /not a duration/)
    expectConfigError(() => parseDurationMs('-5s', 'k'), 'k', /must not be negative/)
    expectConfigError(() => parseDurationMs('NaN', 'k'), 'k', /not a duration/)
    expectConfigError(() => parseDurationMs(Number.NaN, 'k'), 'k', /got NaN/)
    expectConfigError(() => parseDurationMs(150, 'k'), 'k', /missing unit.*bare number 150/)
    expectConfigError(() => parseDurationMs('150', 'k'), 'k', /missing unit in "150"/)
    expectConfigError(() => parseDurationMs('5sec', 'k'), 'k', /ambiguous unit "sec".*write s/)
    expectConfigError(() => parseDurationMs('5mn', 'k'), 'k', /unknown unit "mn".*did you mean ms\?/)
    expectConfigError(() => parseDurationMs('1.5ms', 'k'), 'k', /not a whole number of milliseconds/)
    expectConfigError(() => parseDurationMs('99999999999999999h', 'k'), 'k', /too large/)
    expectConfigError(() => parseDurationMs(true, 'k'), 'k', /got the boolean true/)
  })

  it('formats with the largest whole unit', () => {
    expect(formatDurationMs(150)).toBe('150ms')
    expect(formatDurationMs(2500)).toBe('2500ms')
    expect(formatDurationMs(90_000)).toBe('90s')
    expect(formatDurationMs(300_000)).toBe('5m')
    expect(formatDurationMs(0)).toBe('0ms')
    expect(() => formatDurationMs(-1)).toThrow(/≥ 0/)
  })
})

describe('sizes', () => {
  it('keeps decimal and binary units apart', () => {
    expect(parseSizeBytes('32GB')).toBe(32e9)
    expect(parseSizeBytes('32GiB')).toBe(32 * 2 ** 30)
    expect(parseSizeBytes('512MiB')).toBe(512 * 2 ** 20)
    expect(parseSizeBytes('1.5GB')).toBe(1.5e9)
    expect(parseSizeBytes(4096)).toBe(4096)
    expect(parseSizeBytes('4096')).toBe(4096)
  })

  it('rejects ambiguous one-letter units, a missing unit where required, fractions of a byte and overflow', () => {
    expectConfigError(
      () => parseSizeBytes('32G', 'm'),
      'm',
      /ambiguous unit "G".*GB \(decimal, 10\^9 bytes\) or GiB \(binary, 2\^30 bytes\)/,
    )
    expectConfigError(() => parseSizeBytes(32, 'm', false), 'm', /missing unit.*32GB/)
    expectConfigError(() => parseSizeBytes('0.5B', 'm'), 'm', /not a whole number of bytes/)
    expectConfigError(() => parseSizeBytes('-1GB', 'm'), 'm', /negative/)
    expectConfigError(() => parseSizeBytes(-1, 'm'), 'm', /negative/)
    expectConfigError(() => parseSizeBytes('9PiB', 'm'), 'm', /too large/)
    expectConfigError(() => parseSizeBytes('12XB', 'm'), 'm', /unknown unit "XB"/)
  })

  it('formats exactly', () => {
    expect(formatSizeBytes(32 * 2 ** 30)).toBe('32GiB')
    expect(formatSizeBytes(32e9)).toBe('32GB')
    expect(formatSizeBytes(4097)).toBe('4097B')
  })
})

describe('rates', () => {
  it('parses bit and byte rates into bits per second', () => {
    expect(parseRateBps('10Gbps')).toBe(10e9)
    expect(parseRateBps('100Mbps')).toBe(100e6)
    expect(parseRateBps('1.5Gbit/s')).toBe(1.5e9)
    expect(parseRateBps('125MB/s')).toBe(1e9)
    expect(parseRateBps('1MiB/s')).toBe(8 * 2 ** 20)
  })

  it('rejects a typo with a suggestion, a bare number and garbage', () => {
    expectConfigError(
      () => parseRateBps('10Gbs', 'r'),
      'r',
      /unknown unit "Gbs" in "10Gbs" \(did you mean Gbps\?\)/,
    )
    expectConfigError(() => parseRateBps('10', 'r'), 'r', /missing unit/)
    expectConfigError(() => parseRateBps('fast', 'r'), 'r', /not a rate/)
    expectConfigError(() => parseRateBps('1e9bps', 'r'), 'r', /not a rate/)
  })

  it('formats with decimal bit units', () => {
    expect(formatRateBps(1.5e9)).toBe('1500Mbps')
    expect(formatRateBps(10e9)).toBe('10Gbps')
  })
})
