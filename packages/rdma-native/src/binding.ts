/**
 * The surface of the native addon `dwcp_rdma.node`, typed by hand. It lists only what every build of the addon
 * exports; the loader checks it before handing the binding out.
 */

/** What the loaded addon exports. */
export interface NativeBinding {
  /** Version of the native addon (its own, not the package's), e.g. `0.1.0`. */
  version(): string
}

/** Names of the functions every build of the addon must export; the loader checks each one. */
export const REQUIRED_EXPORTS: ReadonlyArray<keyof NativeBinding> = ['version']
