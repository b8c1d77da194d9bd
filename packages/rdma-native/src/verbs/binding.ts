/** The verbs part of the native addon's surface, typed by hand. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in as the native verbs functions land
export interface VerbsBinding {}

/** Names of the verbs functions the addon must export. */
export const VERBS_EXPORTS: ReadonlyArray<keyof VerbsBinding> = []
