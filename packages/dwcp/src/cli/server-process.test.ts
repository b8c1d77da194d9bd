import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_PATH, requireBuiltCli, runCli, tempDir, writeConfig } from '../server/test-fixtures/harness.js'
import { freePort } from '../test-fixtures/free-port.js'

const temp = tempDir('process')
let config: string
let child: ChildProcess | undefined

/** Starts `dwcp server --config` and waits until its API answers. */
async function startProcess(): Promise<{ exited: Promise<number | null>; stderr: () => string }> {
  let stderr = ''
  child = spawn(process.execPath, [CLI_PATH, 'server', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)))
  const deadline = Date.now() + 10_000
  while ((await runCli(['version', '--config', config])).code !== 0) {
    if (Date.now() > deadline) throw new Error(`the server did not start: ${stderr}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { exited, stderr: () => stderr }
}

beforeAll(async () => {
  requireBuiltCli()
  config = writeConfig(temp.dir, 'process', `server:\n  http_port: ${await freePort()}\n`)
})

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  temp.remove()
})

describe('dwcp server as a process (the runbook’s backup and disaster-recovery scripts)', () => {
  it('serves the verbs with --config, shuts down on request, restores offline and stops on SIGTERM', async () => {
    const first = await startProcess()
    const status = await runCli(['status', '--config', config])
    expect(status.stdout).toMatch(/^Mode: +datacenter/m)
    const backupFile = join(temp.dir, 'state-backup.db')
    expect((await runCli(['backup', 'state', `--output=${backupFile}`, '--config', config])).code).toBe(0)
    const busy = await runCli(['restore', 'state', '--input', backupFile, '--offline', '--config', config])
    expect(busy.code).toBe(2)
    expect(busy.stderr).toContain('the server is running')
    const shutdown = await runCli(['shutdown', '--drain', '--timeout=5m', '--config', config])
    expect(shutdown.stdout).toContain('limit 300000 ms')
    expect(await first.exited).toBe(0)

    const truncated = join(temp.dir, 'truncated.db')
    writeFileSync(truncated, readFileSync(backupFile))
    truncateSync(truncated, statSync(truncated).size - 100)
    const statePath = join(temp.dir, 'data-a', 'state.db')
    const before = readFileSync(statePath)
    const refused = await runCli(['restore', 'state', '--input', truncated, '--offline', '--config', config])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('truncated')
    expect(readFileSync(statePath).equals(before)).toBe(true)
    const restored = await runCli([
      'restore',
      'state',
      `--input=${backupFile}`,
      '--offline',
      '--config',
      config,
    ])
    expect(restored.code).toBe(0)
    expect(restored.stdout).toContain('start the server')
    expect(readFileSync(statePath).equals(readFileSync(backupFile))).toBe(true)

    const second = await startProcess()
    expect((await runCli(['status', '--config', config])).stdout).toContain('Storage:   sqlite')
    child?.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    expect(second.stderr()).toContain('SIGTERM: draining and stopping')
  }, 30_000)
})
