/**
 * Options and argument checks shared by the payload decompressors (`lz4DecompressPayload`,
 * `zstdDecompressPayload`).
 */
import { InvalidArgumentError } from '@dwcp/core'

/** Bounds every payload decompressor enforces. */
export interface DecompressPayloadOptions {
  /**
   * Largest decoded size, in bytes, the caller is prepared to hold. A payload whose header announces more is
   * refused with `DWCP_ERR_FRAME_TOO_LARGE` before anything is allocated; one that decodes to more is refused
   * with `DWCP_ERR_FRAME_CORRUPT` as soon as the excess appears.
   */
  maxOutputBytes: number
  /**
   * Exact decoded size, in bytes, when the caller knows it (a DWCP frame announces it): the output is allocated
   * once at this size and any other decoded length is `DWCP_ERR_FRAME_CORRUPT`. At most `maxOutputBytes`.
   * @default undefined (the payload's own content size if it has one, else anything up to `maxOutputBytes`)
   */
  expectedBytes?: number
}

/**
 * Checks that `value` is a non-negative safe integer.
 *
 * @throws InvalidArgumentError otherwise
 */
export function checkByteCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(name, `${value} is not a non-negative integer`)
  }
}

/**
 * Checks the two bounds of {@link DecompressPayloadOptions}.
 *
 * @throws InvalidArgumentError when a bound is not a non-negative integer or `expectedBytes` exceeds
 *   `maxOutputBytes`
 */
export function checkDecompressOptions(options: DecompressPayloadOptions): void {
  checkByteCount('maxOutputBytes', options.maxOutputBytes)
  if (options.expectedBytes === undefined) return
  checkByteCount('expectedBytes', options.expectedBytes)
  if (options.expectedBytes > options.maxOutputBytes) {
    throw new InvalidArgumentError(
      'expectedBytes',
      `${options.expectedBytes} exceeds maxOutputBytes ${options.maxOutputBytes}`,
    )
  }
}

/** The message of whatever a native binding threw, for the `reason` of a `FrameCorruptError`. */
export function nativeReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
