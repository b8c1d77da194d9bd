import { type Committed, type Consensus, InvalidArgumentError, type Member } from '@dwcp/core'
import { PbftHost } from './pbft-host.js'
import type { PbftHostOptions } from './types.js'

/** Options of a {@link PbftConsensus}: the host's, and the members' addresses for `members()`. */
export interface PbftConsensusOptions extends PbftHostOptions {
  /** Every replica with its address, in replica order. */
  members?: readonly Member[]
}

/**
 * Agreement resisting a misbehaving member with PBFT (ACP, internet mode): a {@link PbftHost} seen through
 * core's `Consensus`. Membership is the configured replica set (n = 3f + 1, each with its key): adding or
 * removing a replica is a reconfiguration of every member's keys, not a runtime call.
 */
export class PbftConsensus implements Consensus {
  readonly protocol = 'pbft'
  /** The host underneath. */
  readonly host: PbftHost
  private readonly known: Member[]

  constructor(readonly options: PbftConsensusOptions) {
    this.host = new PbftHost(options)
    this.known = options.replicas.map(
      (id) => options.members?.find((m) => m.id === id) ?? { id, address: '' },
    )
  }

  start(options?: { signal?: AbortSignal }): Promise<void> {
    return this.host.start(options)
  }

  stop(options?: { signal?: AbortSignal }): Promise<void> {
    return this.host.stop(options)
  }

  /** Orders `command`; resolves once f + 1 replicas replied the same result. */
  async propose(command: Uint8Array, options?: { signal?: AbortSignal }): Promise<Committed> {
    const { seq, result } = await this.host.propose(command, options)
    return { index: seq, result }
  }

  /**
   * A read barrier: orders an empty command, so everything committed before the call is executed before it
   * returns (PBFT's read-only optimisation is not implemented).
   */
  async read(options?: { signal?: AbortSignal }): Promise<{ index: number }> {
    const { seq } = await this.host.propose(new Uint8Array(0), options)
    return { index: seq }
  }

  /** The configured replicas. */
  members(): Member[] {
    return [...this.known]
  }

  /** Refused: PBFT's replica set is configured (keys included), not changed at runtime. */
  async addMember(member: Member): Promise<void> {
    throw new InvalidArgumentError(
      'member',
      `PBFT replicas are configured with their keys; ${member.id} cannot be added at runtime`,
    )
  }

  /** Refused: PBFT's replica set is configured (keys included), not changed at runtime. */
  async removeMember(id: string): Promise<void> {
    throw new InvalidArgumentError(
      'id',
      `PBFT replicas are configured with their keys; ${id} cannot be removed at runtime`,
    )
  }

  /** The primary this member believes in. */
  leader(): string | undefined {
    return this.host.primary
  }
}
