import type { ClientOptions } from './client.js'

/** Every flag the command line takes (the verbs share one table; each reads the ones it needs). */
export const OPTIONS = {
  server: { type: 'string' },
  'token-file': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  ca: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  output: { type: 'string' },
  input: { type: 'string' },
  'node-id': { type: 'string' },
  address: { type: 'string' },
  region: { type: 'string' },
  strategy: { type: 'string' },
  'dry-run': { type: 'boolean' },
  trace: { type: 'boolean' },
  mode: { type: 'string' },
  detailed: { type: 'boolean' },
  component: { type: 'string' },
  drain: { type: 'boolean' },
  timeout: { type: 'string' },
  offline: { type: 'boolean' },
  id: { type: 'string' },
  path: { type: 'string' },
} as const

/** Parsed flag values. */
export type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string
}

/** What a verb gets. */
export interface Command {
  /** Words after the verb (`state` in `backup state`, `k=v` in `config set k=v`). */
  args: string[]
  values: Values
  client: ClientOptions
  /** Print JSON instead of text. */
  json: boolean
  /** Writes a line to standard output. */
  out(line: string): void
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** A required flag's value, or a usage error naming it. */
export function required(values: Values, name: keyof Values): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

/** Prints `result` as JSON with `--json`, else the text lines `human` makes from it. */
export function print(
  command: Command,
  result: Record<string, unknown>,
  human: (r: Record<string, unknown>) => string[],
): void {
  if (command.json) command.out(JSON.stringify(result, null, 2))
  else for (const line of human(result)) command.out(line)
}

/** Checks the words after a verb: `backup state` takes exactly `state`. */
export function expectWords(command: Command, words: readonly string[], usage: string): void {
  if (command.args.length !== words.length || command.args.some((w, i) => w !== words[i]))
    throw new UsageError(`usage: ${usage}`)
}
