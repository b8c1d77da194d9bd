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

  it('keeps calling the other listeners when one throws, and hands the error to listenerFailed', () => {
    const failures: Array<[unknown, string]> = []
    class Watched extends Bell {
      protected override listenerFailed(error: unknown, event: 'ring'): void {
        failures.push([error, event])
      }
    }
    const bell = new Watched()
    const heard: number[] = []
    bell.on('ring', () => {
      throw new Error('listener bug')
    })
    bell.on('ring', (n) => heard.push(n))
    expect(() => bell.ring(4)).not.toThrow()
    expect(heard).toEqual([4])
    expect(failures).toEqual([[expect.objectContaining({ message: 'listener bug' }), 'ring']])
  })

  it('by default turns a listener error into a process warning, never an uncaught exception', async () => {
    const bell = new Bell()
    bell.on('ring', () => {
      throw new TypeError("Cannot read properties of null (reading 'kind')")
    })
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    const warning = new Promise<Error>((resolve) => process.once('warning', resolve))
    bell.ring(1)
    expect((await warning).name).toBe('DwcpListenerWarning')
    await new Promise((resolve) => setTimeout(resolve, 10))
    process.off('uncaughtException', onUncaught)
    expect(uncaught).toEqual([])
  })

  it('contains an error of the error handler itself', () => {
    class Broken extends Bell {
      protected override listenerFailed(): void {
        throw new Error('the log is closed')
      }
    }
    const bell = new Broken()
    bell.on('ring', () => {
      throw new Error('listener bug')
    })
    expect(() => bell.ring(1)).not.toThrow()
  })

  it('adds a listener once per event, and lets a listener remove another during an emit', () => {
    const bell = new Bell()
    const heard: string[] = []
    const twice = (n: number) => heard.push(`twice:${n}`)
    bell.on('ring', twice)
    bell.on('ring', twice)
    expect(bell.listenerCount('ring')).toBe(1)
    let offLater: () => void = () => {}
    bell.on('ring', () => offLater())
    offLater = bell.on('ring', (n) => heard.push(`later:${n}`))
    bell.ring(1)
    bell.ring(2)
    expect(heard).toEqual(['twice:1', 'later:1', 'twice:2'])
  })
})
