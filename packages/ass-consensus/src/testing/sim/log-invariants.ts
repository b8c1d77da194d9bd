import { InvariantViolationError } from './invariant-violation-error.js'

/** A log entry as the checker sees it: its position, its term and a key that identifies its content. */
export interface LogItem {
  index: number
  term: number
  key: string
}

/** A node's view the checker may inspect: its role, term and the term of any index of its log. */
export interface NodeView {
  id: string
  isLeader: boolean
  term: number
  /** Last index covered by the node's snapshot: entries up to it are no longer in its log. */
  compactedThrough: number
  termAt(index: number): number | undefined
}

interface Committed {
  term: number
  key: string
  /** Term of the leader that first committed the entry. */
  commitTerm: number
}

/**
 * Checks the safety properties of a leader-based replicated log (Raft, Figure 3), incrementally so that it
 * can run after every step: each check costs what the step changed, not the size of the logs.
 *
 * - election safety: at most one leader per term;
 * - log matching: entries with the same index and term hold the same content and follow the same previous
 *   term, which by induction makes the logs identical up to there;
 * - leader completeness: an entry committed in term T is in the log of every leader of a later term;
 * - state-machine safety: no two nodes apply different entries at one index;
 * - linearizable reads: a read is confirmed at an index no lower than any index committed before it was asked;
 * - snapshots: a state machine restored from a snapshot holds exactly the commands committed up to its index.
 *
 * A leader's compacted entries are vouched for by its snapshot (checked when it was installed or taken from a
 * state machine that applied only committed entries), so leader completeness looks at the rest of its log.
 */
export class LogInvariants {
  private readonly leaders = new Map<number, string>()
  private readonly checkedLeaders = new Set<string>()
  private readonly stored = new Map<string, { key: string; prevTerm: number }>()
  private readonly committed = new Map<number, Committed>()
  private readonly readsAsked = new Map<string, number>()
  private committedMax = 0

  /** Number of distinct indexes applied anywhere so far. */
  get committedCount(): number {
    return this.committed.size
  }

  /** Key of the entry applied at `index`, if any node applied one. */
  committedKey(index: number): string | undefined {
    return this.committed.get(index)?.key
  }

  /** Call after a node persisted `item` behind an entry of term `prevTerm`. */
  persisted(node: string, item: LogItem, prevTerm: number): void {
    const id = `${item.index}:${item.term}`
    const seen = this.stored.get(id)
    if (!seen) {
      this.stored.set(id, { key: item.key, prevTerm })
      return
    }
    if (seen.key !== item.key || seen.prevTerm !== prevTerm)
      throw new InvariantViolationError(
        'log matching',
        `${node} stores ${item.key} after term ${prevTerm} at index ${item.index} term ${item.term}, ` +
          `another node ${seen.key} after term ${seen.prevTerm}`,
      )
  }

  /** Call after a node applied `item`; `nodeTerm` is its term when it applied it. */
  applied(node: string, item: LogItem, nodeTerm: number, leaders: readonly NodeView[]): void {
    const seen = this.committed.get(item.index)
    if (seen) {
      if (seen.key !== item.key || seen.term !== item.term)
        throw new InvariantViolationError(
          'state-machine safety',
          `${node} applied ${item.key} (term ${item.term}) at index ${item.index}, another node ${seen.key} ` +
            `(term ${seen.term})`,
        )
      return
    }
    // The first node to apply an index is the leader that committed it, so its term is the commit term.
    const entry = { term: item.term, key: item.key, commitTerm: nodeTerm }
    this.committed.set(item.index, entry)
    this.committedMax = Math.max(this.committedMax, item.index)
    for (const leader of leaders) if (leader.term > nodeTerm) this.requireEntry(leader, item.index, entry)
  }

  /**
   * Call when a node's state machine was restored from a snapshot of `index`, holding `commands` (the data
   * entries applied, in order): they must be exactly the committed commands up to `index`.
   */
  restored(node: string, index: number, commands: readonly string[]): void {
    const expected: string[] = []
    for (let i = 1; i <= index; i++) {
      const entry = this.committed.get(i)
      if (!entry)
        throw new InvariantViolationError(
          'snapshot',
          `${node} restored a snapshot of index ${index}, but index ${i} was never committed`,
        )
      if (entry.key !== 'noop' && !entry.key.startsWith('voters:')) expected.push(entry.key)
    }
    if (expected.length !== commands.length || expected.some((key, i) => key !== commands[i]))
      throw new InvariantViolationError(
        'snapshot',
        `${node} restored a snapshot of index ${index} holding ${commands.length} commands that differ from ` +
          `the ${expected.length} committed up to it`,
      )
  }

  /** Call when a client asks for a read named `context` (unique per run). */
  readAsked(context: string): void {
    this.readsAsked.set(context, this.committedMax)
  }

  /** Call when a read was refused: it will never be confirmed. */
  readRefused(context: string): void {
    this.readsAsked.delete(context)
  }

  /** Call when a node confirmed the read `context` at `index`. */
  readConfirmed(node: string, context: string, index: number): void {
    const floor = this.readsAsked.get(context)
    if (floor === undefined)
      throw new InvariantViolationError('linearizable read', `${node} confirmed unknown read ${context}`)
    this.readsAsked.delete(context)
    if (index < floor)
      throw new InvariantViolationError(
        'linearizable read',
        `${node} confirmed ${context} at index ${index}, but index ${floor} was committed before it was asked`,
      )
  }

  /** Call after every step with the node's current state. */
  observe(view: NodeView): void {
    if (!view.isLeader) return
    const holder = this.leaders.get(view.term)
    if (holder === undefined) this.leaders.set(view.term, view.id)
    else if (holder !== view.id)
      throw new InvariantViolationError(
        'election safety',
        `${holder} and ${view.id} both lead term ${view.term}`,
      )
    const id = `${view.id}@${view.term}`
    if (this.checkedLeaders.has(id)) return
    this.checkedLeaders.add(id)
    for (const [index, entry] of this.committed)
      if (entry.commitTerm < view.term) this.requireEntry(view, index, entry)
  }

  private requireEntry(leader: NodeView, index: number, entry: Committed): void {
    if (index <= leader.compactedThrough) return
    const term = leader.termAt(index)
    if (term !== entry.term)
      throw new InvariantViolationError(
        'leader completeness',
        `leader ${leader.id} of term ${leader.term} has term ${String(term)} at index ${index}, where ` +
          `${entry.key} of term ${entry.term} was committed in term ${entry.commitTerm}`,
      )
  }
}
