import { main } from './cli.js'

// Usage: node dist/main.js [--size <MiB>] [--dirty <percent per second>] [--serve] [--port <n>]
process.exitCode = await main(process.argv.slice(2))
