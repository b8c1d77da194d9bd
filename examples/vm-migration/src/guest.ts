/**
 * The example's guest, for other programs of this repository (the `pnpm bench migrate` benchmark): the seeded
 * VM image generator and the writer that dirties its pages.
 */
export { type ImageComposition, PAGE_MIX, writeImage, xorshift } from './image.js'
export { startWriter } from './writer.js'
