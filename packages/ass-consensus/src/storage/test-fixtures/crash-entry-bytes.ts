/** Bytes of the entry at `index` in the crash test: the index and a pattern derived from it, 100–355 bytes. */
export function entryBytes(index: number): Uint8Array {
  const bytes = new Uint8Array(100 + (index % 256))
  new DataView(bytes.buffer).setUint32(0, index)
  for (let offset = 4; offset < bytes.length; offset += 1) bytes[offset] = (index * 31 + offset) & 0xff
  return bytes
}
