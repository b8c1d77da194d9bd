import { describe, expect, it } from 'vitest'
import { parseTrainArgs } from './train-command.js'

const defaults = { tracesDirectory: 'traces', outDirectory: 'models', createdAt: '2026-01-01T00:00:00.000Z' }

describe('parseTrainArgs', () => {
  it('trains both modes with seed 1 by default', () => {
    expect(parseTrainArgs([], defaults)).toEqual({
      modes: ['datacenter', 'internet'],
      seed: 1,
      tracesDirectory: 'traces',
      outDirectory: 'models',
      createdAt: defaults.createdAt,
    })
  })

  it('takes --flag value and --flag=value, and skips the -- a package manager passes through', () => {
    expect(
      parseTrainArgs(['--', '--mode', 'internet', '--seed=7', '--traces', '/t', '--out=o'], defaults),
    ).toMatchObject({
      modes: ['internet'],
      seed: 7,
      tracesDirectory: '/t',
      outDirectory: 'o',
    })
  })

  it.each([[['--mode', 'lan']], [['--seed', '1.5']], [['--seed']], [['--epochs', '3']]])(
    'rejects %j with a typed error',
    (argv) => {
      expect(() => parseTrainArgs(argv, defaults)).toThrow(
        expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
      )
    },
  )
})
