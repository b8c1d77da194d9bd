import { isDwcpError, manualClock } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { withDeadline } from './cluster-state.js'

/** An operation that settles only when aborted. */
const hanging = ({ signal }: { signal?: AbortSignal }) =>
  new Promise<never>((_resolve, reject) =>
    signal?.addEventListener('abort', () => reject(new Error('aborted'))),
  )

describe('sync.timeout → the deadline of node.state calls', () => {
  it('rejects with DWCP_ERR_TIMEOUT naming the operation once the deadline passes on the node clock', async () => {
    const clock = manualClock()
    const call = withDeadline(clock, 'state set k', 100, undefined, hanging)
    const outcome = call.catch((error: unknown) => error)
    clock.advance(99)
    await Promise.resolve()
    clock.advance(1)
    const error = await outcome
    expect(isDwcpError(error, 'DWCP_ERR_TIMEOUT')).toBe(true)
    expect((error as Error).message).toBe('state set k timed out after 100 ms')
  })

  it('leaves a call without a deadline, or the caller’s own abort, as they were', async () => {
    const clock = manualClock()
    expect(await withDeadline(clock, 'state get k', undefined, undefined, async () => 7)).toBe(7)
    const caller = new AbortController()
    const call = withDeadline(clock, 'state get k', 100, { signal: caller.signal }, hanging).catch(
      (e: unknown) => e,
    )
    caller.abort()
    expect(((await call) as Error).message).toBe('aborted')
  })
})
