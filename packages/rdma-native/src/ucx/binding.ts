/** The ucx part of the native addon's surface, typed by hand. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in as the native ucx functions land
export interface UcxBinding {}

/** Names of the ucx functions the addon must export. */
export const UCX_EXPORTS: ReadonlyArray<keyof UcxBinding> = []
