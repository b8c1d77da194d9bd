import { writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isLoopbackAddress, isLoopbackBind } from './auth.js'
import { type DwcpServer, startServer } from './start-server.js'
import { makeCertificates, requireBuiltCli, runCli, tempDir, writeConfig } from './test-fixtures/harness.js'

/**
 * A non-loopback address of this machine to connect from. Without one, 127.0.0.2 stands in: still loopback,
 * so that case checks only the bind rule (a server bound to 0.0.0.0 accepts no credential-less request from
 * anywhere), not the remote-address rule.
 */
const externalIpv4 =
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i?.family === 'IPv4' && !i.internal)?.address ?? '127.0.0.2'

const TOKEN = 'a-test-token-of-enough-length-1234'

/** One request with the given client address to connect from; resolves with status and JSON body. */
function call(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; from?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      {
        method,
        ...(options.from ? { localAddress: options.from } : {}),
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        let text = ''
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => {
          const json = (res.headers['content-type'] ?? '').includes('json')
          resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : {}, text })
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

describe('loopback rules', () => {
  it('tells loopback addresses and binds from the rest', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true)
    expect(isLoopbackAddress('::ffff:127.0.0.5')).toBe(true)
    expect(isLoopbackAddress('::1')).toBe(true)
    expect(isLoopbackAddress('192.0.2.2')).toBe(false)
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false)
    expect(isLoopbackBind('0.0.0.0')).toBe(false)
    expect(isLoopbackBind('localhost')).toBe(true)
  })
})

describe('API exposed beyond loopback (bound to 0.0.0.0, bearer token configured)', () => {
  const temp = tempDir('auth')
  let server: DwcpServer
  let base: string

  beforeAll(async () => {
    requireBuiltCli()
    const tokenFile = join(temp.dir, 'token')
    writeFileSync(tokenFile, `${TOKEN}\n`)
    const config = writeConfig(
      temp.dir,
      'auth',
      `server:\n  bind_address: 0.0.0.0\n  auth_token_file: ${tokenFile}\n`,
    )
    server = await startServer({ configPath: config, ports: { http: 0 } })
    base = `http://${externalIpv4}:${new URL(server.httpUrl).port}`
  })
  afterAll(async () => {
    await server?.close()
    temp.remove()
  })

  it(`refuses a mutating request without credentials from ${externalIpv4} and from 127.0.0.1; nothing changes`, async () => {
    for (const url of [base, server.httpUrl.replace('0.0.0.0', '127.0.0.1')]) {
      const refused = await call(url, 'POST', '/v1/config', {
        body: { set: 'mode=hybrid' },
        from: new URL(url).hostname,
      })
      expect(refused.status).toBe(401)
      expect(refused.body.message).toContain('bearer token')
      // The server judges the connection's actual remote address, reported back in the refusal.
      expect(refused.body.message).toContain(`remote ${new URL(url).hostname}`)
      const shutdown = await call(url, 'POST', '/v1/shutdown', {})
      expect(shutdown.status).toBe(401)
    }
    expect(server.node.mode).toBe('datacenter')
    expect(server.config.mode).toBe('datacenter')
    expect(server.node.health().started).toBe(true)
  })

  it('keeps health, metrics, status and version readable without credentials', async () => {
    const health = await call(base, 'GET', '/health')
    expect(health.body).toMatchObject({ nodeId: 'a', started: true })
    const metrics = await call(base, 'GET', '/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.text).toContain('dwcp_node_mode')
    expect((await call(base, 'GET', '/v1/version')).status).toBe(200)
    expect((await call(base, 'GET', '/v1/status')).body).toMatchObject({ nodeId: 'a' })
  })

  it('answers a plain JSON client with statuses: 400 naming the key path, 422 for a foreign state file', async () => {
    const bad = await call(base, 'POST', '/v1/config', {
      body: { set: 'consensus.election_timeout=fast' },
      token: TOKEN,
    })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({
      error: 'DWCP_ERR_CONFIG_INVALID',
      keyPath: 'consensus.election_timeout',
    })
    const missing = await call(base, 'POST', '/v1/restore', { body: { input: 'relative.db' }, token: TOKEN })
    expect(missing.status).toBe(400)
    const notFound = await call(base, 'GET', '/v1/nothing')
    expect(notFound.status).toBe(404)
    const wrongMethod = await call(base, 'GET', '/v1/shutdown')
    expect(wrongMethod.status).toBe(405)
    expect(server.node.health().started).toBe(true)
  })

  it('refuses a wrong token with 403 and accepts the right one (CLI --token-file)', async () => {
    const wrong = await call(base, 'POST', '/v1/config', {
      body: { set: 'mode=hybrid' },
      token: 'nope-nope-nope-nope',
    })
    expect(wrong.status).toBe(403)
    expect(server.node.mode).toBe('datacenter')
    const cli = await runCli([
      'config',
      'set',
      'mode=hybrid',
      '--server',
      base,
      '--token-file',
      join(temp.dir, 'token'),
    ])
    expect(cli.code).toBe(0)
    expect(server.node.mode).toBe('hybrid')
    const without = await runCli(['config', 'set', 'mode=internet', '--server', base])
    expect(without.code).toBe(1)
    expect(without.stderr).toContain('(unauthorized)')
    expect(server.node.mode).toBe('hybrid')
  })
})

describe('HTTPS with mutual TLS', () => {
  const temp = tempDir('https')
  let server: DwcpServer
  let certs: ReturnType<typeof makeCertificates>

  beforeAll(async () => {
    requireBuiltCli()
    certs = makeCertificates(temp.dir)
    const config = writeConfig(
      temp.dir,
      'https',
      `tls:
  enabled: true
  cert_file: ${certs.server.certFile}
  key_file: ${certs.server.keyFile}
  ca_file: ${certs.caFile}
authentication:
  allowed_subjects: ["CN=node-*.datacenter.local"]
`,
    )
    server = await startServer({ configPath: config, ports: { http: 0, https: 0 } })
  })
  afterAll(async () => {
    await server?.close()
    temp.remove()
  })

  it('accepts an allowed client certificate for a mutating request', async () => {
    const tls = ['--cert', certs.allowed.certFile, '--key', certs.allowed.keyFile, '--ca', certs.caFile]
    const run = await runCli([
      'config',
      'set',
      'logging.level=warn',
      '--server',
      server.httpsUrl as string,
      ...tls,
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(server.config.logging.level).toBe('warn')
    const status = await runCli(['status', '--server', server.httpsUrl as string, ...tls])
    expect(status.stdout).toContain('Node:      a')
  })

  it('refuses a client without a certificate, and one outside the allow-list; nothing changes', async () => {
    const bare = await runCli([
      'config',
      'set',
      'mode=hybrid',
      '--server',
      server.httpsUrl as string,
      '--ca',
      certs.caFile,
    ])
    expect(bare.code).toBe(1)
    expect(bare.stderr).toMatch(/cannot reach the dwcp server|certificate/)
    const intruder = await runCli([
      'config',
      'set',
      'mode=hybrid',
      '--server',
      server.httpsUrl as string,
      '--cert',
      certs.intruder.certFile,
      '--key',
      certs.intruder.keyFile,
      '--ca',
      certs.caFile,
    ])
    expect(intruder.code).toBe(1)
    expect(intruder.stderr).toContain('not in the allow-list')
    expect(server.node.mode).toBe('datacenter')
  })
})
