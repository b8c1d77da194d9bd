/**
 * The RFC 4514 pieces shared by subject patterns and subject formatting: reading escapes (`\,`, `\*`, `\2C`)
 * and writing them back, so that a formatted subject is also a valid exact-match pattern.
 */

/**
 * The subject of a peer certificate as `tlsSocket.getPeerCertificate().subject` reports it: attribute short
 * names (`CN`, `O`, `OU`, `C`, `emailAddress`…) in certificate order, a repeated attribute as an array.
 */
export type CertificateSubject = Readonly<Record<string, string | readonly string[] | undefined>>

/** One character of a distinguished-name string after escapes are resolved. */
export interface DnCharacter {
  /** The character (a UTF-16 code unit, or a whole code point when it came from hex escapes). */
  readonly text: string
  /** Whether it was escaped, so that it has no special meaning (`,`, `=`, `+`, `*`…). */
  readonly escaped: boolean
}

/** Characters that may follow a backslash as themselves (RFC 4514 specials, plus `*` for patterns). */
const ESCAPABLE = new Set([',', '+', '"', '\\', '<', '>', ';', '=', '*', '#', ' '])

/** Characters formatSubject escapes wherever they appear. */
const ALWAYS_ESCAPED = new Set([',', '+', '"', '\\', '<', '>', ';', '=', '*'])

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Splits `text` into characters, resolving `\<special>` and `\XX` (hex, UTF-8) escapes. Returns a string
 * describing the problem instead when an escape is malformed.
 */
export function lexDistinguishedName(text: string): DnCharacter[] | string {
  const out: DnCharacter[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (ch !== '\\') {
      out.push({ text: ch, escaped: false })
      i += 1
      continue
    }
    const next = text[i + 1]
    if (next === undefined) return `dangling backslash at the end`
    if (ESCAPABLE.has(next)) {
      out.push({ text: next, escaped: true })
      i += 2
      continue
    }
    const bytes: number[] = []
    while (text[i] === '\\' && HEX_PAIR.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16))
      i += 3
    }
    if (bytes.length === 0) return `unknown escape \\${next} at offset ${i}`
    let decoded: string
    try {
      decoded = utf8.decode(new Uint8Array(bytes))
    } catch {
      return `hex escapes before offset ${i} are not valid UTF-8`
    }
    for (const codePoint of decoded) out.push({ text: codePoint, escaped: true })
  }
  return out
}

function needsHexEscape(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029
  )
}

function hexEscape(text: string): string {
  return Array.from(
    new TextEncoder().encode(text),
    (byte) => `\\${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('')
}

/**
 * Escapes one attribute value as RFC 4514 asks (`,` `+` `"` `\` `<` `>` `;`, a leading `#` or space, a
 * trailing space), plus `=` and `*` so the result reads back as an exact pattern, and control characters as
 * hex so that a hostile certificate cannot forge log lines.
 */
export function escapeAttributeValue(value: string): string {
  const chars = Array.from(value)
  return chars
    .map((ch, index) => {
      const codePoint = ch.codePointAt(0) ?? 0
      if (needsHexEscape(codePoint)) return hexEscape(ch)
      if (ALWAYS_ESCAPED.has(ch)) return `\\${ch}`
      if (index === 0 && (ch === '#' || ch === ' ')) return `\\${ch}`
      if (index === chars.length - 1 && ch === ' ') return '\\ '
      return ch
    })
    .join('')
}

/**
 * Formats a certificate subject as an RFC 4514 string, most specific attribute first (`CN=node-1.dc.local,
 * O=DWCP,C=DE` for a certificate issued as `C`, `O`, `CN`). Repeated attributes stay grouped, in their
 * certificate order. Every value is escaped with {@link escapeAttributeValue}.
 */
export function formatSubject(subject: CertificateSubject | undefined): string {
  if (subject === undefined || subject === null) return ''
  const parts: string[] = []
  for (const [name, raw] of Object.entries(subject).reverse()) {
    const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : []
    for (const value of values) {
      if (typeof value === 'string') parts.push(`${name}=${escapeAttributeValue(value)}`)
    }
  }
  return parts.join(',')
}
