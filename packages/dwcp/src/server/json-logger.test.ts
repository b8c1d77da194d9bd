import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { jsonLogger } from './json-logger.js'
import { tempDir } from './test-fixtures/harness.js'

describe('JSON lines logger', () => {
  it('writes pino-shaped lines, binds child fields, filters by a level that can change', () => {
    const lines: string[] = []
    const logger = jsonLogger({ level: 'info', write: (line) => lines.push(line), nowMs: () => 1000 })
    const child = logger.child({ component: 'api' })
    child.debug({ hidden: true }, 'not shown')
    child.info({ error: new Error('boom') }, 'shown')
    logger.setLevel('debug')
    child.debug({}, 'now shown')
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: 30, time: 1000, component: 'api', error: { message: 'boom' }, msg: 'shown' },
      { level: 20, time: 1000, component: 'api', msg: 'now shown' },
    ])
    expect(lines.every((line) => line.endsWith('\n'))).toBe(true)
  })

  it('appends to logging.file when one is configured', () => {
    const temp = tempDir('log')
    try {
      const file = join(temp.dir, 'dwcp.log')
      const logger = jsonLogger({ file })
      logger.info({ a: 1 }, 'one')
      logger.warn({}, 'two')
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
      expect(lines.map((line) => line.msg)).toEqual(['one', 'two'])
    } finally {
      temp.remove()
    }
  })
})
