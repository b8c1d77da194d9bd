// Child process of crash-safety.test.ts. Opens the store named on the command line, continues its log one
// entry per `save`, and after each `save` returns prints the entry's index on its own line: every index printed
// was durable at that moment. It runs until the parent kills it. Every 64th entry it also compacts (up to 32
// entries back), so crashes land in compactions too.
//
// Usage: node crash-writer.mjs <compiled storage directory> <store path> <node id>
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [compiledDirectory, path, nodeId] = process.argv.slice(2)
const importCompiled = (file) => import(pathToFileURL(join(compiledDirectory, file)).href)
const { openSqliteRaftStorage } = await importCompiled('sqlite-raft-storage.js')
const { entryBytes } = await importCompiled('test-fixtures/crash-entry-bytes.js')

const storage = openSqliteRaftStorage({ path, nodeId, clusterId: 'crash-test' })
const { entries, snapshot, hardState } = storage.load()
let lastIndex = entries.at(-1)?.index ?? snapshot?.index ?? 0
// Entries after this index carry this run's term; only those are compacted, so the snapshot's term is known.
const firstOwnIndex = lastIndex + 1
const term = hardState.term + 1
storage.save({ entries: [], hardState: { term, vote: nodeId, commit: hardState.commit } })
process.stdout.write('ready\n')

for (;;) {
  const index = lastIndex + 1
  storage.save({
    entries: [{ index, term, data: entryBytes(index) }],
    hardState: { term, vote: nodeId, commit: index },
  })
  lastIndex = index
  process.stdout.write(`${index}\n`)
  if (index % 64 === 0 && index - 32 >= firstOwnIndex) {
    storage.compact({ index: index - 32, term, voters: [nodeId], data: entryBytes(index - 32) })
  }
}
