/**
 * Durable Raft storage: the {@link RaftStorage} contract a node persists through, and its SQLite
 * implementation ({@link openSqliteRaftStorage}).
 */

export type { RaftStorage, StorageUpdate } from './raft-storage.js'
export {
  openSqliteRaftStorage,
  type SqliteRaftStorage,
  type SqliteRaftStorageOptions,
} from './sqlite-raft-storage.js'
