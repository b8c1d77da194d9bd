import { isMode } from 'dwcp'
import { runDemo } from './demo.js'

// Usage: pnpm demo [datacenter|internet|hybrid]
const mode = process.argv[2] ?? 'datacenter'
if (!isMode(mode)) {
  console.error(`usage: pnpm demo [datacenter|internet|hybrid] (got ${mode})`)
  process.exitCode = 2
} else {
  const report = await runDemo({ mode })
  if (!report.digestsMatch) process.exitCode = 1
}
