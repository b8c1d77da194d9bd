/**
 * Interoperability with the reference CLIs: our payloads decode with `lz4 -d` and `zstd -d`, and what the
 * CLIs write (with their default checksums, linked blocks, unknown content sizes, long windows) decodes with our
 * codecs once wrapped in a DWCP frame. The CLIs are required: a missing one fails the test with the Debian
 * package to install (CI installs both).
 */
import { spawnSync } from 'node:child_process'
import { silentLogger } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, type FrameAlgorithm } from '../frame.js'
import { lz4Codec } from './lz4-codec.js'
import { seededBytes } from './test-fixtures/test-chunks.js'
import { isError, rejection } from './test-fixtures/test-errors.js'
import { zstdCodec } from './zstd-codec.js'
import { zstdLongCodec } from './zstd-long-codec.js'

const context = { mode: 'internet' } as const
const components = { logger: silentLogger() }
/** Debian package that provides each CLI. */
const CLI_PACKAGES = { lz4: 'lz4', zstd: 'zstd' } as const

/** Runs `command` with `input` on stdin and returns its stdout; throws naming `pkg` when it is missing. */
function runProgram(command: string, pkg: string, args: string[], input: Uint8Array): Uint8Array {
  const result = spawnSync(command, args, { input, maxBuffer: 64 * 1024 * 1024 })
  if (result.error !== undefined) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `the ${command} CLI is not installed: install the Debian package "${pkg}" (apt-get install ${pkg})`,
      )
    }
    throw result.error
  }
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString()}`)
  }
  return new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength)
}

/** Runs one of the reference CLIs. */
function runCli(command: keyof typeof CLI_PACKAGES, args: string[], input: Uint8Array): Uint8Array {
  return runProgram(command, CLI_PACKAGES[command], args, input)
}

/** Inputs of several kinds, sized to keep the slow levels quick. */
function interopInputs(maxBytes: number): Uint8Array[] {
  const text = new TextEncoder().encode('vm 12 migrated 4096 dirty pages\n'.repeat(maxBytes / 32))
  return [
    new Uint8Array(0),
    Uint8Array.of(42),
    seededBytes(Math.min(maxBytes, 300_001), 21),
    new Uint8Array(maxBytes),
    text.subarray(0, maxBytes - 3),
    seededBytes(maxBytes, 22).map((byte, i) => (i % 16 < 6 ? byte & 0x03 : i & 0xff)),
  ]
}

/** The payload inside one of our frames. */
function payloadOf(frame: Uint8Array): Uint8Array {
  return decodeFrame(frame, { maxOriginalBytes: 1 << 26, maxPayloadBytes: 1 << 27 }).payload
}

/** Wraps a CLI's output in a DWCP frame announcing `originalBytes`. */
function wrap(
  algorithm: FrameAlgorithm,
  level: number,
  payload: Uint8Array,
  originalBytes: number,
): Uint8Array {
  return encodeFrame({ algorithm, level, originalBytes, payload })
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b)

describe('interop with the lz4 and zstd CLIs', () => {
  it('our lz4 payloads decode with lz4 -d', async () => {
    const codec = lz4Codec()(components)
    for (const input of interopInputs(1 << 20)) {
      const { frame } = await codec.encode(input, context)
      expect(same(runCli('lz4', ['-d', '-c'], payloadOf(frame)), input)).toBe(true)
    }
  })

  it('our zstd payloads decode with zstd -d at fast, default and ultra levels', async () => {
    for (const [level, maxBytes] of [
      [-5, 1 << 20],
      [3, 1 << 20],
      [22, 1 << 16],
    ] as const) {
      const codec = zstdCodec({ level })(components)
      for (const input of interopInputs(maxBytes)) {
        const { frame } = await codec.encode(input, context)
        expect(same(runCli('zstd', ['-d', '-c', '-q'], payloadOf(frame)), input), `level ${level}`).toBe(true)
      }
    }
  })

  it('our zstd-long payloads decode with zstd -d --long=27', async () => {
    const codec = zstdLongCodec()(components)
    for (const input of interopInputs(1 << 18)) {
      const { frame } = await codec.encode(input, context)
      expect(same(runCli('zstd', ['-d', '-c', '-q', '--long=27'], payloadOf(frame)), input)).toBe(true)
    }
  })

  it('lz4 CLI output (content checksum, linked blocks, block checksums) decodes with our lz4 codec', async () => {
    const codec = lz4Codec()(components)
    for (const args of [['-c'], ['-c', '-B4', '-BD'], ['-c', '-B5', '-BX'], ['-c', '-9']]) {
      for (const input of interopInputs(1 << 20)) {
        const frame = wrap('lz4', 0, runCli('lz4', args, input), input.length)
        expect(same(await codec.decode(frame, context), input), `lz4 ${args.join(' ')}`).toBe(true)
      }
    }
  })

  it('zstd -3 output decodes with our zstd codec, zstd -19 --long=27 output with our zstd-long codec', async () => {
    const zstd = zstdCodec()(components)
    for (const input of interopInputs(1 << 20)) {
      const frame = wrap('zstd', 3, runCli('zstd', ['-3', '-c', '-q'], input), input.length)
      expect(same(await zstd.decode(frame, context), input)).toBe(true)
    }
    const long = zstdLongCodec()(components)
    for (const input of interopInputs(1 << 18)) {
      const frame = wrap(
        'zstd-long',
        19,
        runCli('zstd', ['-19', '--long=27', '-c', '-q'], input),
        input.length,
      )
      expect(same(await long.decode(frame, context), input)).toBe(true)
    }
  })

  it('refuses CLI output whose window exceeds the decoder bound', async () => {
    const input = new TextEncoder().encode('long window\n'.repeat(100))
    const frame = wrap('zstd-long', 1, runCli('zstd', ['-1', '--long=28', '-c', '-q'], input), input.length)
    const err = await rejection(zstdLongCodec()(components).decode(frame, context))
    expect(isError(err, 'DWCP_ERR_FRAME_CORRUPT', /zstd: .*memory/i)).toBe(true)
  })

  it('fails, naming the package to install, when a CLI is missing', () => {
    expect(() => runProgram('dwcp-missing-cli', 'dwcp-missing-package', ['-d'], new Uint8Array(0))).toThrow(
      'install the Debian package "dwcp-missing-package" (apt-get install dwcp-missing-package)',
    )
  })
})
