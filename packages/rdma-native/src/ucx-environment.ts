/**
 * UCX settings the loader applies before the addon (and with it libucs/libucm) is loaded, unless the host set
 * them itself. libucm patches the process's allocator (malloc relocation, mmap hooks) when it initialises; in
 * Node, V8's threads allocate at the same moment, and about 1 load in 200 crashed with SIGSEGV on a 2-core
 * host under load. Without the hooks UCX cannot cache memory registrations on verbs (it registers per
 * operation), which costs some speed on RDMA hardware and nothing over tcp/shm.
 */
export const UCX_SAFETY_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  UCX_MEM_MALLOC_HOOKS: 'no',
  UCX_MEM_MALLOC_RELOC: 'no',
  UCX_MEM_EVENTS: 'no',
})

/** Sets each of {@link UCX_SAFETY_DEFAULTS} in `env` that the host has not set; returns the keys it set. */
export function applyUcxSafetyDefaults(env: NodeJS.ProcessEnv = process.env): string[] {
  const applied: string[] = []
  for (const [key, value] of Object.entries(UCX_SAFETY_DEFAULTS)) {
    if (env[key] !== undefined) continue
    env[key] = value
    applied.push(key)
  }
  return applied
}
