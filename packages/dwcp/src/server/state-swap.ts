import { copyFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { type StateFileInfo, verifyStateFile } from '@dwcp/ass-consensus'
import { isDwcpError, StateCorruptError, StateForeignError } from '@dwcp/core'

/** A verified copy of a backup, staged next to `state.db` so the final rename stays on one file system. */
export interface StagedState {
  /** What the copy holds. */
  info: StateFileInfo
  /** Renames the copy over `target`; the caller has closed `target` first. */
  swapIn(): Promise<void>
  /** Removes the copy if it is still there. */
  discard(): Promise<void>
}

/**
 * Copies `input` next to `target` and verifies the copy (not truncated, SQLite integrity, DWCP identity of
 * `owner`, schema version, readable log). Nothing of `target` is touched; a refusal names `input`.
 *
 * @throws StateCorruptError / StateForeignError naming `input`
 */
export async function stageVerifiedState(
  input: string,
  target: string,
  owner: { nodeId: string; clusterId: string },
): Promise<StagedState> {
  const temporary = join(dirname(target), `.${basename(target)}.restore-${process.pid}-${Date.now()}`)
  const discard = async () => {
    await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${temporary}${suffix}`, { force: true })))
  }
  try {
    await copyFile(input, temporary)
    const info = await verifyStateFile(temporary, owner).catch((error: unknown) => {
      throw aboutInput(error, input)
    })
    return {
      info: { ...info, path: input },
      async swapIn() {
        // Side files belong to the old database; left behind, SQLite would replay the old WAL into the new file.
        await Promise.all(
          ['-wal', '-shm'].flatMap((suffix) => [
            rm(`${target}${suffix}`, { force: true }),
            rm(`${temporary}${suffix}`, { force: true }),
          ]),
        )
        await rename(temporary, target)
      },
      discard,
    }
  } catch (error) {
    await discard()
    throw error
  }
}

/** The verification error of the copy, told about the file the operator named. */
function aboutInput(error: unknown, input: string): unknown {
  const reason = (error as { data?: { reason?: unknown } }).data?.reason
  if (typeof reason !== 'string') return error
  if (isDwcpError(error, 'DWCP_ERR_STATE_CORRUPT')) return new StateCorruptError(input, reason)
  if (isDwcpError(error, 'DWCP_ERR_STATE_FOREIGN')) return new StateForeignError(input, reason)
  return error
}
