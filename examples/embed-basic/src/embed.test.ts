import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { embedBasic } from './embed.js'

describe('embed-basic', () => {
  it('moves the image from host-a to host-b with a matching digest', async () => {
    const image = new Uint8Array(4 * 1024 * 1024).fill(7)
    const digest = await embedBasic(image)
    expect(digest).toBe(`sha256:${createHash('sha256').update(image).digest('hex')}`)
  }, 30_000)
})
