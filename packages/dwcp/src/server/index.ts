/**
 * The `dwcp` server: a node from the runbook's configuration, with its HTTP API (status, backup and restore,
 * membership, configuration, diagnostics, shutdown) beside `/health` and `/metrics`.
 */

export { type AuthSettings, authorize, isLoopbackAddress, isLoopbackBind, type Principal } from './auth.js'
export { type ErrorBody, HttpError, NDJSON } from './http-io.js'
export { type JsonLogger, type JsonLoggerOptions, jsonLogger, type LogLevel } from './json-logger.js'
export { PLACEMENT_PREFIX, type PlannedMove, planLeastLoaded, type RebalancePlan } from './rebalance-plan.js'
export { type DwcpServer, type StartServerOptions, startServer } from './start-server.js'
export type { TrainableModel, Trainer, TrainRequest } from './trainer.js'
