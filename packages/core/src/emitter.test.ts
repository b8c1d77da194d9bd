import { describe, expect, it } from 'vitest'
import { Emitter } from './emitter.js'

class Bell extends Emitter<{ ring: [times: number] }> {
  ring(times: number): boolean {
    return this.emit('ring', times)
  }
}

describe('Emitter', () => {
  it('calls listeners, once-listeners once, and stops after off', () => {
    const bell = new Bell()
    const heard: string[] = []
    const off = bell.on('ring', (n) => heard.push(`on:${n}`))
    bell.once('ring', (n) => heard.push(`once:${n}`))
    expect(bell.ring(1)).toBe(true)
    bell.ring(2)
    off()
    expect(bell.ring(3)).toBe(false)
    expect(heard).toEqual(['on:1', 'once:1', 'on:2'])
    expect(bell.listenerCount('ring')).toBe(0)
  })

  it('keeps calling the other listeners when one throws', async () => {
    const bell = new Bell()
    const heard: number[] = []
    bell.on('ring', () => {
      throw new Error('listener bug')
    })
    bell.on('ring', (n) => heard.push(n))
    const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve))
    bell.ring(4)
    expect(heard).toEqual([4])
    expect(await uncaught).toMatchObject({ message: 'listener bug' })
  })
})
