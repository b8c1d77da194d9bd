import fc from 'fast-check'
import type { PbftSignedMessage } from '../pbft-codec.js'
import type { Checkpoint, ClientRequest, PrePrepare, Prepare, ViewChange } from '../types.js'

const nat = fc.nat({ max: 2 ** 40 })
const replica = fc.nat({ max: 15 })
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 })
const signature = fc.uint8Array({ maxLength: 64 })
const bytes = fc.uint8Array({ maxLength: 24 })

/** A client request. */
export const requestArb: fc.Arbitrary<ClientRequest> = fc.record(
  {
    clientId: fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)),
    timestamp: nat,
    operation: bytes,
    signature: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  },
  { requiredKeys: ['clientId', 'timestamp', 'operation'] },
)

const prePrepareArb: fc.Arbitrary<PrePrepare> = fc.record({
  type: fc.constant('prePrepare' as const),
  view: nat,
  seq: nat,
  digest,
  batch: fc.array(requestArb, { maxLength: 3 }),
  replica,
  signature,
})

const voteArb = <T extends 'prepare' | 'commit'>(type: T) =>
  fc.record({ type: fc.constant(type), view: nat, seq: nat, digest, replica, signature })

const checkpointArb: fc.Arbitrary<Checkpoint> = fc.record({
  type: fc.constant('checkpoint' as const),
  seq: nat,
  stateDigest: digest,
  replica,
  signature,
})

const viewChangeArb: fc.Arbitrary<ViewChange> = fc.record({
  type: fc.constant('viewChange' as const),
  newView: nat,
  stableSeq: nat,
  checkpointProof: fc.array(checkpointArb, { maxLength: 3 }),
  prepared: fc.array(
    fc.record({
      prePrepare: prePrepareArb,
      prepares: fc.array(voteArb('prepare') as fc.Arbitrary<Prepare>, { maxLength: 2 }),
    }),
    { maxLength: 2 },
  ),
  replica,
  signature,
})

/** Any message the PBFT codec encodes, nested ones included. */
export const pbftMessageArb: fc.Arbitrary<PbftSignedMessage> = fc.oneof(
  prePrepareArb,
  voteArb('prepare'),
  voteArb('commit'),
  checkpointArb,
  viewChangeArb,
  fc.record({
    type: fc.constant('newView' as const),
    view: nat,
    viewChanges: fc.array(viewChangeArb, { maxLength: 2 }),
    prePrepares: fc.array(prePrepareArb, { maxLength: 2 }),
    replica,
    signature,
  }),
  fc.record({ type: fc.constant('request' as const), request: requestArb, replica, signature }),
  fc.record({ type: fc.constant('fetch' as const), seq: nat, view: nat, replica, signature }),
  fc.record({
    type: fc.constant('executed' as const),
    seq: nat,
    digest,
    batch: fc.array(requestArb, { maxLength: 3 }),
    replica,
    signature,
  }),
  fc.record({
    type: fc.constant('state' as const),
    seq: nat,
    checkpointProof: fc.array(checkpointArb, { maxLength: 3 }),
    snapshot: bytes,
    replies: fc.array(fc.record({ clientId: fc.constantFrom('a', 'b'), timestamp: nat, result: bytes }), {
      maxLength: 2,
    }),
    replica,
    signature,
  }),
  fc.record({
    type: fc.constant('reply' as const),
    view: nat,
    replica,
    clientId: fc.constantFrom('c1', 'client-2'),
    timestamp: nat,
    result: bytes,
    signature,
  }),
)
