import fc from 'fast-check'
import type { Entry, Message, Snapshot } from '../../raft/types.js'

/** Node ids as hosts name them, plus odd but valid Unicode, short enough for the default limits. */
export const nodeIdArb = fc.oneof(
  fc.constantFrom('a', 'b', 'node-1', 'n\u00e9\u{1f680}'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
)

/** Terms, indices and counters across the whole safe-integer range, small ones more often. */
export const numberArb = fc.oneof(fc.nat({ max: 300 }), fc.maxSafeNat())

const votersArb = fc.uniqueArray(nodeIdArb, { maxLength: 7 })

/** One entry at `index`: a command (possibly empty), a no-op or a membership change. */
const entryAt = (index: number): fc.Arbitrary<Entry> =>
  fc.oneof(
    fc.record({ term: numberArb, index: fc.constant(index), data: fc.uint8Array({ maxLength: 64 }) }),
    fc.record({ term: numberArb, index: fc.constant(index), data: fc.constant(undefined) }),
    fc.record({
      term: numberArb,
      index: fc.constant(index),
      data: fc.constant(undefined),
      voters: votersArb,
    }),
  )

const header = { from: nodeIdArb, to: nodeIdArb, term: numberArb }
const snapshotArb: fc.Arbitrary<Snapshot> = fc.record({
  index: numberArb,
  term: numberArb,
  voters: votersArb,
  data: fc.uint8Array({ maxLength: 256 }),
})

/** Every Raft message type, with optional fields both present and absent. */
export const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom('vote' as const, 'preVote' as const),
      ...header,
      lastIndex: numberArb,
      lastTerm: numberArb,
      transfer: fc.boolean(),
    },
    { requiredKeys: ['type', 'from', 'to', 'term', 'lastIndex', 'lastTerm'] },
  ),
  fc.record({
    type: fc.constantFrom('voteResponse' as const, 'preVoteResponse' as const),
    ...header,
    granted: fc.boolean(),
  }),
  fc
    .record(
      {
        ...header,
        prevIndex: fc.nat({ max: 1_000_000 }),
        prevTerm: numberArb,
        commit: numberArb,
        readSeq: numberArb,
        count: fc.nat({ max: 6 }),
      },
      { requiredKeys: ['from', 'to', 'term', 'prevIndex', 'prevTerm', 'commit', 'count'] },
    )
    .chain(({ count, ...rest }) =>
      fc
        .tuple(...Array.from({ length: count }, (_, i) => entryAt(rest.prevIndex + 1 + i)))
        .map((entries): Message => ({ type: 'append', ...rest, entries })),
    ),
  fc.record(
    {
      type: fc.constant('appendResponse' as const),
      ...header,
      success: fc.boolean(),
      matchIndex: numberArb,
      rejectedIndex: numberArb,
      lastIndex: numberArb,
      readSeq: numberArb,
    },
    { requiredKeys: ['type', 'from', 'to', 'term', 'success', 'matchIndex', 'rejectedIndex', 'lastIndex'] },
  ),
  fc.record({ type: fc.constant('timeoutNow' as const), ...header }),
  fc.record({ type: fc.constant('snapshot' as const), ...header, snapshot: snapshotArb }),
)
