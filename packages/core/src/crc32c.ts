/**
 * CRC32C (Castagnoli): the reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF, as used by
 * iSCSI, SCTP, ext4 and the DWCP wire format. Table-driven, eight bytes per step ("slicing by 8").
 */

const POLYNOMIAL = 0x82f63b78
const TABLE_COUNT = 8

/** `TABLES[k][b]`: the CRC of byte `b` followed by `k` zero bytes. */
const TABLES: Uint32Array = buildTables()

function buildTables(): Uint32Array {
  const tables = new Uint32Array(256 * TABLE_COUNT)
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1
    tables[byte] = crc >>> 0
  }
  for (let byte = 0; byte < 256; byte++) {
    let crc = tables[byte]!
    for (let k = 1; k < TABLE_COUNT; k++) {
      crc = tables[crc & 0xff]! ^ (crc >>> 8)
      tables[k * 256 + byte] = crc >>> 0
    }
  }
  return tables
}

/**
 * The CRC32C of `bytes`, as an unsigned 32-bit integer.
 *
 * Pass the result of an earlier call as `previous` to continue over data that arrives in pieces:
 * `crc32c(b, crc32c(a))` equals `crc32c(a ++ b)`.
 *
 * @param bytes - the data to checksum
 * @param previous - the CRC of the data that came before `bytes`; 0 (the default) when nothing did
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode('123456789')) // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  const t = TABLES
  let crc = ~previous >>> 0
  let i = 0
  const end8 = bytes.length - (bytes.length % 8)
  while (i < end8) {
    const lo =
      (crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0
    crc =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + bytes[i + 4]!]! ^
      t[2 * 256 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!
    i += 8
  }
  while (i < bytes.length) {
    crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
    i++
  }
  return ~crc >>> 0
}
