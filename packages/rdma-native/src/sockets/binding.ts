/** The sockets part of the native addon's surface, typed by hand. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in as the native sockets functions land
export interface SocketsBinding {}

/** Names of the sockets functions the addon must export. */
export const SOCKETS_EXPORTS: ReadonlyArray<keyof SocketsBinding> = []
