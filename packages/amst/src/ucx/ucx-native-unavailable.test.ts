import { isDwcpError, UcxError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { complianceComponents, complianceIdentity } from '../compliance/transport-suite.js'
import { ucxTransport } from './ucx-transport.js'

describe('ucx transport without the addon', () => {
  it('rejects start() with NATIVE_UNAVAILABLE and the reason, and reports down', async () => {
    const transport = ucxTransport({
      load: async () => {
        throw new Error('Cannot find package @dwcp/rdma-native')
      },
    })(complianceComponents(complianceIdentity('node-a')))
    await expect(transport.start()).rejects.toSatisfy(
      (e) =>
        isDwcpError(e, 'DWCP_ERR_NATIVE_UNAVAILABLE') &&
        String((e as Error).message).includes('Cannot find package'),
    )
    expect(transport.health()).toMatchObject({ status: 'down', implementation: 'ucx' })
    expect(transport.health().reason).toContain('Cannot find package')
    await expect(transport.dial('ucx://127.0.0.1:1')).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_NOT_STARTED'),
    )
    await transport.stop()
  })

  it('turns a UCX failure while creating the worker into NATIVE_UNAVAILABLE', async () => {
    const transport = ucxTransport({
      load: async () => ({
        UcxWorker: {
          create: () => {
            throw new UcxError('ucp_init', -4, 'UCS_ERR_NO_DEVICE')
          },
        },
      }),
    })(complianceComponents(complianceIdentity('node-a')))
    await expect(transport.start()).rejects.toSatisfy((e) => isDwcpError(e, 'DWCP_ERR_NATIVE_UNAVAILABLE'))
  })

  it('refuses a lane cap outside 1..255 as a configuration error', () => {
    expect(() => ucxTransport({ maxStreams: 256 })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_CONFIG_INVALID' }),
    )
    expect(() => ucxTransport({ streams: 0 })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_CONFIG_INVALID' }),
    )
  })
})
