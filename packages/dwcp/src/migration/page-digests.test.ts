import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { PAGE_BYTES } from './file-workload.js'
import { imagePageDigest, loadPageHash, PAGE_DIGEST_PREFIX, PageDigests } from './page-digests.js'

describe('page digests', () => {
  it('equal the digest of the image they describe, however the pages were recorded', async () => {
    const hash = await loadPageHash()
    const image = randomBytes(64 * PAGE_BYTES)
    image.fill(0, 10 * PAGE_BYTES, 20 * PAGE_BYTES)
    const whole = await imagePageDigest(image.byteLength, (o, l) => image.subarray(o, o + l))
    expect(whole.startsWith(PAGE_DIGEST_PREFIX)).toBe(true)
    // A receiver whose file starts as zeros, written in pieces out of order, zero pages never written.
    const target = new PageDigests(64, hash, new Uint8Array(PAGE_BYTES))
    target.set(20, image.subarray(20 * PAGE_BYTES))
    target.set(0, image.subarray(0, 10 * PAGE_BYTES))
    expect(target.digest()).toBe(whole)
    // One byte different in one page: another digest.
    const changed = Buffer.from(image)
    changed.writeUInt8(changed.readUInt8(33 * PAGE_BYTES + 7) ^ 1, 33 * PAGE_BYTES + 7)
    target.set(33, changed.subarray(33 * PAGE_BYTES, 34 * PAGE_BYTES))
    expect(target.digest()).not.toBe(whole)
    // A sender that never recorded a page does not match.
    const sender = new PageDigests(64, hash)
    sender.set(0, image.subarray(0, 63 * PAGE_BYTES))
    expect(sender.digest()).not.toBe(whole)
  })

  it('refuses writes that are not whole pages or lie outside the image', async () => {
    const digests = new PageDigests(4, await loadPageHash())
    expect(() => digests.set(0, new Uint8Array(100))).toThrow(/not whole pages/)
    expect(() => digests.set(3, new Uint8Array(2 * PAGE_BYTES))).toThrow(/outside the image/)
    expect(() => digests.set(-1, new Uint8Array(PAGE_BYTES))).toThrow(/outside the image/)
  })
})
