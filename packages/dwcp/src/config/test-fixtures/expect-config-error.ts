/** Test helpers: assert that a call fails with a ConfigInvalidError at a given key path. */

import { fileURLToPath } from 'node:url'
import { isDwcpError } from '@dwcp/core'
import { expect } from 'vitest'

/** The thrown error of `run`, asserted to be DWCP_ERR_CONFIG_INVALID at `keyPath` with a reason matching `reason`. */
export function expectConfigError(run: () => unknown, keyPath: string, reason: RegExp): void {
  let thrown: unknown
  try {
    run()
  } catch (error) {
    thrown = error
  }
  checkConfigError(thrown, keyPath, reason)
}

/** As {@link expectConfigError}, for a promise. */
export async function expectConfigErrorAsync(
  run: () => Promise<unknown>,
  keyPath: string,
  reason: RegExp,
): Promise<void> {
  let thrown: unknown
  try {
    await run()
  } catch (error) {
    thrown = error
  }
  checkConfigError(thrown, keyPath, reason)
}

function checkConfigError(thrown: unknown, keyPath: string, reason: RegExp): void {
  expect(
    isDwcpError(thrown, 'DWCP_ERR_CONFIG_INVALID'),
    `expected a config error, got ${String(thrown)}`,
  ).toBe(true)
  const data = (thrown as { data: { keyPath: string; reason: string } }).data
  expect(data.keyPath).toBe(keyPath)
  expect(data.reason).toMatch(reason)
}

/** Absolute path of a file in the repository's deploy/configs folder. */
export function deployConfig(name: string): string {
  return fileURLToPath(new URL(`../../../../../deploy/configs/${name}`, import.meta.url))
}
