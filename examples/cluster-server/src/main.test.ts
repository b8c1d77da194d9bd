import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseArgs } from './args.js'

/** The built example: the test runs what an operator runs, three real server processes included. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))

function runBuilt(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('cluster-server example', () => {
  it('starts three servers, finds the leader, uses its API and stops them: exit code 0', async () => {
    // The build runs before the tests (turbo's typecheck depends on it); say so instead of failing obscurely.
    expect(
      existsSync(MAIN),
      'build the example first: pnpm --filter @dwcp/example-cluster-server... build',
    ).toBe(true)
    const { code, stdout, stderr } = await runBuilt([])
    expect(code, `${stdout}\n${stderr}`).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    for (const node of ['node-1', 'node-2', 'node-3'])
      expect(stdout).toMatch(
        new RegExp(`^  ${node} +(leader|follower) +\\d+ +\\d+ .*${node}/state\\.db$`, 'm'),
      )
    expect(lines.filter((l) => / leader {4}/.test(l))).toHaveLength(1)
    expect(stdout).toMatch(/leader node-[123] \(term \d+\)/)
    expect(stdout).toContain('members node-1, node-2, node-3')
    expect(stdout).toContain('Set logging.level = "info": applied now, saved to')
    expect(stdout).toContain('logging.level is info')
    expect(stdout).toMatch(/Backup written: \d+ bytes of state\.db, term \d+, log through index \d+/)
    expect(stdout.match(/Node stopped after draining .*\(exit code 0\)/g)).toHaveLength(3)
    expect(lines.at(-1)).toBe('all three servers stopped, temporary files removed')
  }, 60_000)

  it('exits with 2 on an unknown argument, before starting anything', async () => {
    expect(parseArgs(['--keep'])).toEqual({ keep: true })
    const { code, stderr } = await runBuilt(['--bogus'])
    expect(code).toBe(2)
    expect(stderr).toContain('usage: node dist/main.js [--keep]')
  })
})
