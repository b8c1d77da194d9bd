import type { Entry } from '../../raft/types.js'

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** Encodes a simulated client's write of `value` under `key` as a Raft command. */
export function putCommand(key: string, value: string): Uint8Array {
  return encoder.encode(`${key}=${value}`)
}

/**
 * The state machine of a simulated node: a key/value map fed by `key=value` commands, with the list of commands
 * applied (for validity checks) and the index applied last. Not durable: a restarted node restores it from its
 * snapshot and replays the committed entries after it.
 */
export class SimKvMachine {
  /** Commands applied, in order. */
  readonly commands: string[] = []
  /** Current value of each key. */
  readonly values = new Map<string, string>()
  /** Index of the last entry applied (or covered by the restored snapshot). */
  appliedIndex = 0

  /** Applies one committed entry (no-ops and membership changes only advance the index). */
  apply(entry: Entry): void {
    this.appliedIndex = entry.index
    if (entry.data === undefined) return
    const command = decoder.decode(entry.data)
    this.commands.push(command)
    const eq = command.indexOf('=')
    if (eq > 0) this.values.set(command.slice(0, eq), command.slice(eq + 1))
  }

  /** The whole state, serialized for a Raft snapshot. */
  snapshot(): Uint8Array {
    return encoder.encode(
      JSON.stringify({ commands: this.commands, values: [...this.values], appliedIndex: this.appliedIndex }),
    )
  }

  /** A machine in the state a snapshot holds. */
  static restore(data: Uint8Array): SimKvMachine {
    const parsed = JSON.parse(decoder.decode(data)) as {
      commands: string[]
      values: [string, string][]
      appliedIndex: number
    }
    const machine = new SimKvMachine()
    machine.commands.push(...parsed.commands)
    for (const [key, value] of parsed.values) machine.values.set(key, value)
    machine.appliedIndex = parsed.appliedIndex
    return machine
  }
}
