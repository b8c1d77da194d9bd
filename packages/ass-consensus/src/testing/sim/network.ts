import { InvalidArgumentError, type Random } from '@dwcp/core'

/** The least a simulated message carries: who sent it and who it is for. */
export interface Addressed {
  from: string
  to: string
}

/** Faults of a {@link SimNetwork}; every draw comes from the injected `Random`. */
export interface NetworkFaults {
  /** Fewest ticks a message spends in flight. @default 1 */
  delayTicksMin: number
  /** Most ticks a message spends in flight; a spread above the minimum reorders messages. @default 1 */
  delayTicksMax: number
  /** Probability in [0, 1] that a message is lost. @default 0 */
  dropRate: number
  /** Probability in [0, 1] that a message is delivered twice (each copy with its own delay). @default 0 */
  duplicateRate: number
}

interface InFlight<M> {
  dueTick: number
  seq: number
  message: M
}

/**
 * A deterministic packet simulator for any protocol whose messages name `from` and `to`: delay in ticks,
 * loss, duplication, reordering (through random delays) and partitions. It has no clock of its own; the
 * caller says which tick it is.
 */
export class SimNetwork<M extends Addressed> {
  private faults: NetworkFaults
  private inFlight: InFlight<M>[] = []
  private seq = 0
  /** Group number of each node while partitioned; nodes in different groups cannot talk. */
  private groups = new Map<string, number>()
  /** Counters, for reports and for tests that want to know faults really happened. */
  readonly stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, cut: 0 }

  constructor(
    private readonly random: Random,
    faults: Partial<NetworkFaults> = {},
    /** Most messages in flight; beyond it new ones are dropped, so a run's memory stays bounded. */
    private readonly inFlightMax = 100_000,
  ) {
    this.faults = checkFaults({
      delayTicksMin: 1,
      delayTicksMax: 1,
      dropRate: 0,
      duplicateRate: 0,
      ...faults,
    })
  }

  /** Changes the faults from now on (messages already in flight keep their delay). */
  setFaults(faults: Partial<NetworkFaults>): void {
    this.faults = checkFaults({ ...this.faults, ...faults })
  }

  /** Splits the nodes into groups that cannot reach each other; nodes not listed form one more group. */
  partition(groups: readonly (readonly string[])[]): void {
    this.groups = new Map()
    groups.forEach((group, i) => {
      for (const node of group) this.groups.set(node, i + 1)
    })
  }

  /** Ends every partition. */
  heal(): void {
    this.groups = new Map()
  }

  /** Whether `from` can currently reach `to`. */
  canReach(from: string, to: string): boolean {
    return (this.groups.get(from) ?? 0) === (this.groups.get(to) ?? 0)
  }

  /** Sends `message` at tick `nowTick`; it may be lost, duplicated or cut by a partition. */
  send(message: M, nowTick: number): void {
    this.stats.sent++
    if (!this.canReach(message.from, message.to) || this.random.next() < this.faults.dropRate) {
      this.stats.dropped++
      return
    }
    this.enqueue(message, nowTick)
    if (this.random.next() < this.faults.duplicateRate) {
      this.stats.duplicated++
      this.enqueue(message, nowTick)
    }
  }

  /** Forgets every message in flight to `node` (it crashed: its sockets are gone). */
  dropTo(node: string): void {
    this.inFlight = this.inFlight.filter((f) => f.message.to !== node)
  }

  /** Number of messages in flight. */
  get pending(): number {
    return this.inFlight.length
  }

  /**
   * Removes and returns the messages due at or before `nowTick`, in due order (ties in send order). A
   * message whose path was cut by a partition while in flight is lost.
   */
  deliver(nowTick: number): M[] {
    const due: InFlight<M>[] = []
    const rest: InFlight<M>[] = []
    for (const f of this.inFlight) (f.dueTick <= nowTick ? due : rest).push(f)
    this.inFlight = rest
    due.sort((a, b) => a.dueTick - b.dueTick || a.seq - b.seq)
    const out: M[] = []
    for (const f of due) {
      if (this.canReach(f.message.from, f.message.to)) out.push(f.message)
      else this.stats.cut++
    }
    this.stats.delivered += out.length
    return out
  }

  private enqueue(message: M, nowTick: number): void {
    if (this.inFlight.length >= this.inFlightMax) {
      this.stats.dropped++
      return
    }
    const { delayTicksMin: min, delayTicksMax: max } = this.faults
    const delay = min + Math.floor(this.random.next() * (max - min + 1))
    this.inFlight.push({ dueTick: nowTick + delay, seq: this.seq++, message })
  }
}

function checkFaults(faults: NetworkFaults): NetworkFaults {
  const { delayTicksMin, delayTicksMax, dropRate, duplicateRate } = faults
  if (!Number.isInteger(delayTicksMin) || delayTicksMin < 0)
    throw new InvalidArgumentError('delayTicksMin', `must be a non-negative integer, got ${delayTicksMin}`)
  if (!Number.isInteger(delayTicksMax) || delayTicksMax < delayTicksMin)
    throw new InvalidArgumentError(
      'delayTicksMax',
      `must be an integer ≥ delayTicksMin, got ${delayTicksMax}`,
    )
  for (const [name, rate] of [
    ['dropRate', dropRate],
    ['duplicateRate', duplicateRate],
  ] as const) {
    if (!(rate >= 0 && rate <= 1)) throw new InvalidArgumentError(name, `must be in [0, 1], got ${rate}`)
  }
  return faults
}
