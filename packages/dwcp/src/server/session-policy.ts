/**
 * What the server applies to every transport session of its node, as each opens and again when `config set`
 * changes it: `transport.tcp_streams` (the streams of each TCP or in-memory session this node dialled: the
 * dialling side opens a session's streams, so a session a peer dialled follows the peer's setting) and
 * `resources.network.connections_max` (a session opening beyond the cap is closed at once, with the reason).
 */

import { InvalidArgumentError, type Session } from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import type { JsonLogger } from './json-logger.js'

/** The settings a {@link SessionPolicy} applies. */
export interface SessionSettings {
  /** Streams of each TCP (and in-memory) session this node dialled. */
  tcpStreams: number
  /** Most streams the running transport lets a session have (`transport.streams` at start). */
  readonly streamsMax: number
  /** Most sessions open at once; absent: no cap. */
  connectionsMax?: number | undefined
}

/** One open session, as `debug transport` reports it. */
export interface SessionReport {
  /** The peer's node id. */
  peer: string
  /** The session's id (the same on both ends). */
  id: string
  /** The scheme the session runs on (`tcp`, `ucx`, `memory`). */
  scheme: string
  /** Streams (TCP connections, UCX lanes) it has now. */
  streams: number
}

/** Applies {@link SessionSettings} to a node's sessions; see the module comment. */
export class SessionPolicy {
  readonly #sessions = new Set<Session>()
  #settings: SessionSettings
  /** Sessions closed because the cap was reached. */
  refused = 0

  /** Starts watching `node`'s sessions: build it before the node starts, so that it sees every one. */
  constructor(
    node: DwcpNode,
    settings: SessionSettings,
    private readonly logger: JsonLogger,
  ) {
    this.#settings = { ...settings }
    node.on('session', (session) => this.#adopt(session))
  }

  /** The settings in force. */
  get settings(): Readonly<SessionSettings> {
    return this.#settings
  }

  /**
   * Changes the TCP stream count of every session this node dialled, now and for those that open later.
   *
   * @throws InvalidArgumentError above {@link SessionSettings.streamsMax}, which the running transport caps
   */
  setTcpStreams(tcpStreams: number): void {
    if (!Number.isInteger(tcpStreams) || tcpStreams < 1 || tcpStreams > this.#settings.streamsMax)
      throw new InvalidArgumentError(
        'transport.tcp_streams',
        `must be 1..${this.#settings.streamsMax}, the most the running transport allows`,
      )
    this.#settings = { ...this.#settings, tcpStreams }
    for (const session of this.#sessions) this.#applyStreams(session)
  }

  /** Changes the session cap; sessions already open stay (the cap applies as sessions open). */
  setConnectionsMax(connectionsMax: number | undefined): void {
    this.#settings = { ...this.#settings, connectionsMax }
  }

  /** The open sessions. */
  sessions(): SessionReport[] {
    return [...this.#sessions].map((session) => ({
      peer: session.remote.nodeId,
      id: session.id,
      scheme: schemeOf(session),
      streams: session.streams,
    }))
  }

  #adopt(session: Session): void {
    const max = this.#settings.connectionsMax
    if (max !== undefined && this.#sessions.size >= max) {
      this.refused++
      const reason = `resources.network.connections_max (${max}) sessions are open`
      this.logger.warn({ peer: session.remote.nodeId, connectionsMax: max }, `session closed: ${reason}`)
      void session.close({ reason }).catch(() => {})
      return
    }
    this.#sessions.add(session)
    session.on('close', () => this.#sessions.delete(session))
    this.#applyStreams(session)
  }

  #applyStreams(session: Session): void {
    // The transports whose stream count tcp_streams sets at start (createNode's tuning): TCP and in-memory.
    if (session.closed || !['tcp', 'memory'].includes(schemeOf(session))) return
    const { tcpStreams } = this.#settings
    if (session.streams === tcpStreams) return
    try {
      // On a session the peer dialled this changes nothing: only the dialling side opens streams.
      session.streams = tcpStreams
    } catch (error) {
      this.logger.warn({ peer: session.remote.nodeId, error: String(error) }, 'tcp_streams not applied')
    }
  }
}

/** The scheme of a session's path, from the address its peer announced. */
function schemeOf(session: Session): string {
  const address = session.remote.address
  return address.slice(0, Math.max(0, address.indexOf('://')))
}
