// The reference half of `pnpm bench hde`: the stock CLIs (zstd, lz4, xdelta3) run on the same files as our
// codecs, in the same run. Each function times the CLI process alone (wall clock, inputs already in the page
// cache, output to a temporary file), then checks once, untimed, that the output decodes back to the input
// byte for byte, so a row never reports a ratio for something that does not round-trip.
// Every row: { tool, version, args, inputBytes, outputBytes, ratio, seconds, mbPerSecond }, where args are
// the flags only (no file names), ratio is inputBytes / outputBytes and MB/s are 10^6 bytes of input per
// second. Compressors run single-threaded (-T1) so they compare with our single-threaded encoders.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureCommand, sha256File } from './hde-image.mjs'

const MiB = 2 ** 20
// zstd's largest window on 64-bit builds, and its smallest.
const WINDOW_LOG_MAX = 31
const WINDOW_LOG_MIN = 10

/**
 * `zstd -<level> -T1` on the file at `path`; `long` adds long-distance matching (`true` for --long=27, or a
 * window log).
 */
export async function zstdReference(path, level, { long } = {}) {
  await ensureCommand('zstd', 'zstd')
  const windowLog = long === true ? 27 : long
  const flags = [`-${level}`, ...(level > 19 ? ['--ultra'] : []), '-T1']
  if (windowLog) flags.push(`--long=${windowLog}`)
  // The decoder refuses windows over 2^27 unless told to allow them.
  const decodeFlags = windowLog ? [`--long=${windowLog}`] : []
  return measure({
    tool: 'zstd',
    flags,
    input: path,
    encode: (out) => ['zstd', ['-q', '-f', ...flags, path, '-o', out]],
    decode: (out, back) => ['zstd', ['-q', '-f', '-d', ...decodeFlags, out, '-o', back]],
  })
}

/** `lz4 -1` on the file at `path`. */
export async function lz4Reference(path) {
  await ensureCommand('lz4', 'lz4')
  return measure({
    tool: 'lz4',
    flags: ['-1'],
    input: path,
    encode: (out) => ['lz4', ['-q', '-f', '-1', path, out]],
    decode: (out, back) => ['lz4', ['-q', '-f', '-d', out, back]],
  })
}

/**
 * `xdelta3 -e -s v1 v2`: a VCDIFF patch from v1 to v2 (installs xdelta3 with apt-get when missing). The
 * source window (-B) covers all of v1, or xdelta3 would only match within its default 64 MiB.
 */
export async function xdeltaReference(v1, v2) {
  await ensureCommand('xdelta3', 'xdelta3')
  const flags = ['-e', '-B', String(sourceWindowBytes(statSync(v1).size)), '-s']
  return measure({
    tool: 'xdelta3',
    flags,
    input: v2,
    source: v1,
    encode: (out) => ['xdelta3', ['-f', ...flags, v1, v2, out]],
    decode: (out, back) => ['xdelta3', ['-f', '-d', ...flags.slice(1), v1, out, back]],
  })
}

/**
 * `zstd --patch-from=v1 -<level> -T1 v2`: zstd's own delta mode. As zstd(1) says, a reference larger than
 * 128 MiB needs --memory to load it, and the window must cover the whole file (--long=<log2 of the size>),
 * on the decoder too.
 */
export async function zstdPatchReference(v1, v2, level) {
  await ensureCommand('zstd', 'zstd')
  const largest = Math.max(statSync(v1).size, statSync(v2).size)
  // zstd itself picks the window just above the largest file in this mode.
  const windowLog = Math.max(WINDOW_LOG_MIN, Math.floor(Math.log2(Math.max(largest, 1))) + 1)
  if (windowLog > WINDOW_LOG_MAX) throw new Error(`zstd --patch-from cannot cover ${largest} bytes`)
  const memory = `--memory=${Math.ceil(largest / MiB)}MiB`
  const flags = [`-${level}`, ...(level > 19 ? ['--ultra'] : []), '-T1', `--long=${windowLog}`, memory]
  return measure({
    tool: 'zstd --patch-from',
    flags,
    input: v2,
    source: v1,
    encode: (out) => ['zstd', ['-q', '-f', ...flags, `--patch-from=${v1}`, v2, '-o', out]],
    decode: (out, back) => [
      'zstd',
      ['-q', '-f', '-d', `--long=${windowLog}`, memory, `--patch-from=${v1}`, out, '-o', back],
    ],
  })
}

// xdelta3 takes a source window of at most 2 GiB; a power of two at least the source's size.
function sourceWindowBytes(sourceBytes) {
  return 2 ** Math.min(31, Math.max(20, Math.ceil(Math.log2(Math.max(sourceBytes, 1)))))
}

async function measure({ tool, flags, input, source, encode, decode }) {
  const dir = mkdtempSync(join(tmpdir(), 'dwcp-hde-ref-'))
  try {
    // Hashing reads the inputs, so every tool starts with them in the page cache rather than the first one
    // paying for the disk.
    const inputSha256 = await sha256File(input)
    if (source) await sha256File(source)
    const out = join(dir, 'out')
    const [command, args] = encode(out)
    const startedNs = process.hrtime.bigint()
    const encoded = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9
    check(encoded, command, args)

    const back = join(dir, 'back')
    const [decodeCommand, decodeArgs] = decode(out, back)
    check(
      spawnSync(decodeCommand, decodeArgs, { stdio: ['ignore', 'ignore', 'pipe'] }),
      decodeCommand,
      decodeArgs,
    )
    if ((await sha256File(back)) !== inputSha256) {
      throw new Error(`${tool} ${flags.join(' ')} did not decode back to ${input}`)
    }

    const inputBytes = statSync(input).size
    const outputBytes = statSync(out).size
    return {
      tool,
      version: versionOf(command),
      args: flags,
      inputBytes,
      outputBytes,
      ratio: inputBytes / outputBytes,
      seconds,
      mbPerSecond: inputBytes / 1e6 / seconds,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function check(result, command, args) {
  if (result.error) throw result.error
  if (result.status !== 0) {
    const stderr = result.stderr?.toString().trim().slice(-2000) ?? ''
    throw new Error(`${command} ${args.join(' ')} failed (${result.signal ?? result.status}): ${stderr}`)
  }
}

function versionOf(command) {
  const result = spawnSync(command, ['-V'], { encoding: 'utf8' })
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`
  return /v?(\d+\.\d+(?:\.\d+)*[a-z]?)/.exec(text)?.[1] ?? 'unknown'
}
