import type { Startable } from './lifecycle.js'

/** A voting (or learning) member of a consensus group. */
export interface Member {
  /** Node id. */
  id: string
  /** Address peers dial. */
  address: string
  /** Region label (used by placement and hybrid mode). */
  region?: string
}

/** A committed and applied command. */
export interface Committed {
  /** Log index (Raft) or sequence number (PBFT) it was committed at. */
  index: number
  /** What the state machine returned when applying it. */
  result?: Uint8Array
}

/** Agreement on an ordered log of commands (ACP): Raft or PBFT. */
export interface Consensus extends Startable {
  /** Protocol name (`raft`, `pbft`). */
  readonly protocol: string
  /** Proposes a command; resolves once it is committed and applied. */
  propose(command: Uint8Array, options?: { signal?: AbortSignal }): Promise<Committed>
  /** A linearizable read barrier: resolves with an index at least as new as every committed write. */
  read(options?: { signal?: AbortSignal }): Promise<{ index: number }>
  /** Current members. */
  members(): Member[]
  /** Adds a member (one at a time). */
  addMember(member: Member, options?: { signal?: AbortSignal }): Promise<void>
  /** Removes a member. */
  removeMember(id: string, options?: { signal?: AbortSignal }): Promise<void>
  /** Id of the current leader (Raft) or primary (PBFT), if known. */
  leader(): string | undefined
}
