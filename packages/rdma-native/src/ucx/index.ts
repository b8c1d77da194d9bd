export { type NativeUcxWorkerOptions, UCX_EXPORTS, type UcxBinding } from './binding.js'
export { isPeerFailure, PEER_FAILURE_STATUSES, toUcxError } from './errors.js'
export { lanesUseRdma, parseUcxLanes, type UcxLane } from './lanes.js'
export { type MessageStreamOptions, patternBytes, receiveMessages, sendMessages } from './stream-messages.js'
export {
  UcxEndpoint,
  type UcxEndpointEvents,
  type UcxReceived,
  UcxWorker,
  type UcxWorkerEvents,
  type UcxWorkerOptions,
} from './ucx-worker.js'
