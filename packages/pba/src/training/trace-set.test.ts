import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseTraceCsv, readTraceSet } from './trace-set.js'

describe('parseTraceCsv', () => {
  it('reads one value per second', () => {
    expect(Array.from(parseTraceCsv('a.csv', 't_s,mbps\n0,1.5\n1,0\n2,2.25\n'))).toEqual([1.5, 0, 2.25])
  })

  it.each([
    ['a wrong header', 'time,mbps\n0,1\n'],
    ['a gap in time', 't_s,mbps\n0,1\n2,1\n'],
    ['a negative rate', 't_s,mbps\n0,-1\n'],
    ['a missing value', 't_s,mbps\n0\n'],
  ])('rejects %s with a typed error naming the file', (_, text) => {
    expect(() => parseTraceCsv('bad.csv', text)).toThrow(
      expect.objectContaining({
        code: 'DWCP_ERR_INVALID_ARGUMENT',
        data: expect.objectContaining({ argument: 'bad.csv' }),
      }),
    )
  })
})

describe('readTraceSet', () => {
  const directory = mkdtempSync(join(tmpdir(), 'pba-traces-'))
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  it('reads every trace sources.csv names, sorted by file', () => {
    mkdirSync(join(directory, 'fcc'))
    mkdirSync(join(directory, 'hsdpa'))
    writeFileSync(join(directory, 'fcc', 'b.csv'), 't_s,mbps\n0,1\n')
    writeFileSync(join(directory, 'hsdpa', 'a.csv'), 't_s,mbps\n0,2\n1,3\n')
    writeFileSync(
      join(directory, 'sources.csv'),
      'file,family,pensieve_split,source_repo\nhsdpa/a.csv,hsdpa,test,x\nfcc/b.csv,fcc,train,y\n',
    )
    const traces = readTraceSet(directory)
    expect(traces.map((t) => [t.file, t.family, t.pensieveSplit, Array.from(t.mbps)])).toEqual([
      ['fcc/b.csv', 'fcc', 'train', [1]],
      ['hsdpa/a.csv', 'hsdpa', 'test', [2, 3]],
    ])
  })
})
