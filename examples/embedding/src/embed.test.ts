import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { migrateImage } from './embed.js'

describe('README embedding example', () => {
  it('moves an image and returns its sha256 digest', async () => {
    const image = randomBytes(4 * 1024 * 1024)
    expect(await migrateImage(image)).toBe(`sha256:${createHash('sha256').update(image).digest('hex')}`)
  })
})
