import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { classifyChunk } from './data-class.js'

describe('classifyChunk', () => {
  it('puts zero pages, text and random bytes in different classes', () => {
    expect(classifyChunk(new Uint8Array(65536)).name).toBe('e0')
    const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog. '.repeat(2000))
    const textClass = classifyChunk(text)
    expect(textClass.entropyBitsPerByte).toBeGreaterThan(3)
    expect(textClass.entropyBitsPerByte).toBeLessThan(5)
    expect(classifyChunk(randomBytes(1 << 20)).name).toBe('e8')
  })

  it('samples large chunks in strided runs and small ones whole', () => {
    const half = new Uint8Array(1 << 20)
    half.set(randomBytes(1 << 19), 1 << 19) // zeros, then random: the sample must see both halves
    const mixed = classifyChunk(half)
    expect(mixed.entropyBitsPerByte).toBeGreaterThan(3)
    expect(mixed.entropyBitsPerByte).toBeLessThan(6)
    expect(classifyChunk(Uint8Array.from([1, 2])).entropyBitsPerByte).toBe(1)
    expect(classifyChunk(new Uint8Array(0)).entropyBitsPerByte).toBe(0)
  })
})
