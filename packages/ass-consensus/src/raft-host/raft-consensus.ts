import type { Committed, Consensus, Member } from '@dwcp/core'
import { RaftHost } from './raft-host.js'
import type { RaftHostOptions } from './types.js'

/** Options of a {@link RaftConsensus}. */
export interface RaftConsensusOptions extends RaftHostOptions {
  /**
   * Addresses of the members, for `members()`. Raft replicates only the voters' ids; a member whose address
   * is unknown here is reported with an empty address.
   */
  members?: readonly Member[]
}

/** A {@link RaftConsensus} over a host that something else owns (starts and stops), such as a replicator's. */
export interface SharedHostConsensusOptions {
  /** The running host to order commands through. */
  host: RaftHost
  /** Addresses of the members, for `members()`. */
  members?: readonly Member[]
}

/**
 * Agreement on an ordered log of commands with Raft (ACP, datacenter mode): a {@link RaftHost} seen through
 * core's `Consensus` interface. Commands are opaque bytes for the caller's state machine. Built from host
 * options it owns its host; built over a shared host (a replicator's) it leaves starting and stopping to the
 * host's owner, so one Raft log carries both the replicated state and the caller's commands.
 */
export class RaftConsensus implements Consensus {
  readonly protocol = 'raft'
  /** The Raft host underneath. */
  readonly host: RaftHost
  private readonly ownsHost: boolean
  private readonly known = new Map<string, Member>()

  constructor(options: RaftConsensusOptions | SharedHostConsensusOptions) {
    this.ownsHost = !('host' in options)
    this.host = 'host' in options ? options.host : new RaftHost(options)
    for (const member of options.members ?? []) this.known.set(member.id, member)
  }

  /** Starts the host (when this consensus owns it). */
  async start(options?: { signal?: AbortSignal }): Promise<void> {
    if (this.ownsHost) await this.host.start(options)
  }

  /** Stops the host (when this consensus owns it); the storage stays open (its owner closes it). */
  async stop(options?: { signal?: AbortSignal }): Promise<void> {
    if (this.ownsHost) await this.host.stop(options)
  }

  /** Proposes `command`; resolves once committed and applied, with its index and the state machine's result. */
  async propose(command: Uint8Array, options?: { signal?: AbortSignal }): Promise<Committed> {
    const { index, result } = await this.host.propose(command, options)
    return result === undefined ? { index } : { index, result }
  }

  /** A linearizable read barrier (on the leader). */
  read(options?: { signal?: AbortSignal }): Promise<{ index: number }> {
    return this.host.read(options)
  }

  /** The voters in effect, with the addresses known here. */
  members(): Member[] {
    return this.host.voters.map((id) => this.known.get(id) ?? { id, address: '' })
  }

  /** Adds a voter (on the leader); its address is remembered for `members()`. */
  async addMember(member: Member, options?: { signal?: AbortSignal }): Promise<void> {
    this.known.set(member.id, member)
    await this.host.addMember(member.id, options)
  }

  /** Removes a voter (on the leader). */
  removeMember(id: string, options?: { signal?: AbortSignal }): Promise<void> {
    return this.host.removeMember(id, options)
  }

  /** The leader this node knows of, if any. */
  leader(): string | undefined {
    return this.host.leader
  }
}
