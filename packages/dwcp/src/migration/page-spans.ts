/**
 * Grouping of nearby pages into spans read (and, on the receiver, written) with one system call. A delta round
 * touches pages spread over the image; when they are dense, reading 4 KiB at a time costs more in system calls
 * than encoding them. A span ends at a gap of more than {@link MAX_SPAN_GAP_PAGES} pages (reading the gap
 * would cost more than another call) or at {@link MAX_SPAN_PAGES} pages.
 */

/** Largest run of unwanted pages a span reads through. */
export const MAX_SPAN_GAP_PAGES = 4
/** Longest span, in pages (256 KiB). */
export const MAX_SPAN_PAGES = 64

/**
 * The end (exclusive) of the span that starts at `pages[start]`, over ascending page numbers read through
 * `pageAt(i)`: the following pages join while each is above the previous by at most the gap plus one and the
 * span stays within {@link MAX_SPAN_PAGES}.
 */
export function spanEnd(count: number, start: number, pageAt: (index: number) => number): number {
  const first = pageAt(start)
  let end = start + 1
  while (end < count) {
    const page = pageAt(end)
    const previous = pageAt(end - 1)
    if (page <= previous || page - previous > MAX_SPAN_GAP_PAGES + 1 || page - first >= MAX_SPAN_PAGES) break
    end++
  }
  return end
}
