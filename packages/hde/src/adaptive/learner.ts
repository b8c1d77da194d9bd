import type { AlgorithmEstimate } from './cost-model.js'

/** Weight of the newest observation in the running averages: recent enough to follow a change of workload. */
const ALPHA = 0.3

const ewma = (previous: number | undefined, value: number): number =>
  previous === undefined ? value : previous + ALPHA * (value - previous)

/** Ratios are floored here before dividing: zero pages compress to a header, and 0 would poison the averages. */
const MIN_RATIO = 1e-6

interface Measured {
  value: number
  samples: number
  lastChunk: number
}

interface ClassKnowledge {
  chunks: number
  /** Encode time per byte, from whole chunks where there are some, else from probes. */
  wholeSpeed: Map<string, Measured>
  probeSpeed: Map<string, Measured>
  /** Each candidate's size ratio divided by the anchor's, measured on the same probe slice. */
  relative: Map<string, Measured>
  /**
   * The class's anchor-equivalent ratio: a whole chunk's ratio divided by the relative factor of the candidate
   * that encoded it. Every candidate's predicted ratio is this times its relative factor.
   */
  level: Measured | undefined
  /** The anchor's own probe ratio: the level until a whole chunk of the class has been sent. */
  anchorProbeRatio: number | undefined
}

/** One candidate's result on a probe slice. */
export interface ProbeResult {
  /** Candidate name. */
  name: string
  /** Encode time per byte, ns. */
  nsPerByte: number
  /** Frame bytes per original byte. */
  ratio: number
}

/**
 * What the adaptive codec knows, per class of chunk and per candidate: encode speed and size ratio.
 *
 * Ratios are compared on the same bytes. Chunks of one class still differ (one compresses to a third, the next to
 * a half), so averaging each candidate's ratio over the chunks it happened to encode would compare candidates on
 * different data: the one tried on the easy chunks would look best. Instead a probe round encodes one slice with
 * every candidate and keeps each one's ratio relative to an anchor (the first candidate, always probed); whole
 * chunks then set the class's level, whichever candidate encoded them. A prediction is level × relative factor,
 * so a candidate's choice depends only on same-data comparisons. Speeds vary less across the chunks of a class
 * and are averaged directly, whole-chunk measurements preferred (probes carry a per-call overhead that small
 * slices exaggerate).
 */
export class AdaptiveLearner {
  readonly #classes = new Map<string, ClassKnowledge>()
  readonly #fastestNsPerByte = new Map<string, number>()

  /** Counts one chunk of `className`; returns the class's chunk count (1 for its first chunk). */
  nextChunk(className: string): number {
    let known = this.#classes.get(className)
    if (!known) {
      known = {
        chunks: 0,
        wholeSpeed: new Map(),
        probeSpeed: new Map(),
        relative: new Map(),
        level: undefined,
        anchorProbeRatio: undefined,
      }
      this.#classes.set(className, known)
    }
    return ++known.chunks
  }

  /**
   * A lower bound of `name`'s encode time per byte on `className`: its measured speed there, or the fastest it
   * was seen on any class. Undefined before its first measurement anywhere.
   */
  speedBoundNsPerByte(className: string, name: string): number | undefined {
    const known = this.#classes.get(className)
    return (
      known?.wholeSpeed.get(name)?.value ??
      known?.probeSpeed.get(name)?.value ??
      this.#fastestNsPerByte.get(name)
    )
  }

  /** Records a probe round on `className`: every result was measured on the same slice; the first is the anchor. */
  observeProbes(className: string, results: readonly ProbeResult[]): void {
    const known = this.#classes.get(className)
    const anchor = results[0]
    if (!known || !anchor) return
    const anchorRatio = Math.max(MIN_RATIO, anchor.ratio)
    known.anchorProbeRatio = ewma(known.anchorProbeRatio, anchorRatio)
    for (const result of results) {
      update(known.probeSpeed, result.name, result.nsPerByte, known.chunks)
      update(known.relative, result.name, Math.max(MIN_RATIO, result.ratio) / anchorRatio, known.chunks)
      this.#noteSpeed(result.name, result.nsPerByte)
    }
  }

  /** Records a whole chunk of `className` encoded by `name`. */
  observeWhole(className: string, name: string, nsPerByte: number, ratio: number): void {
    const known = this.#classes.get(className)
    if (!known) return
    update(known.wholeSpeed, name, nsPerByte, known.chunks)
    this.#noteSpeed(name, nsPerByte)
    const relative = known.relative.get(name)?.value
    if (relative === undefined) return
    const level = Math.max(MIN_RATIO, ratio) / relative
    known.level = {
      value: ewma(known.level?.value, level),
      samples: (known.level?.samples ?? 0) + 1,
      lastChunk: known.chunks,
    }
  }

  /**
   * The estimate of `name` on `className`, or undefined until it has been probed there. Before any whole chunk
   * of the class, the level is the anchor's probe ratio (relative factor 1).
   */
  estimate(className: string, name: string): AlgorithmEstimate | undefined {
    const known = this.#classes.get(className)
    const relative = known?.relative.get(name)
    const speed = known?.wholeSpeed.get(name) ?? known?.probeSpeed.get(name)
    if (!known || !relative || !speed) return undefined
    const level = known.level?.value ?? known.anchorProbeRatio ?? 1
    return {
      encodeNsPerByte: speed.value,
      sizeRatio: Math.min(1.01, level * relative.value),
      samples: speed.samples,
      lastChunk: Math.max(speed.lastChunk, relative.lastChunk),
    }
  }

  /** Every class's estimates, per candidate name. */
  snapshot(names: readonly string[]): Record<string, Record<string, AlgorithmEstimate>> {
    const out: Record<string, Record<string, AlgorithmEstimate>> = {}
    for (const className of this.#classes.keys()) {
      const row: Record<string, AlgorithmEstimate> = {}
      for (const name of names) {
        const estimate = this.estimate(className, name)
        if (estimate) row[name] = estimate
      }
      out[className] = row
    }
    return out
  }

  /** Records an encode speed of `name` seen outside any class (a first timing on a small slice). */
  noteSpeed(name: string, nsPerByte: number): void {
    this.#noteSpeed(name, nsPerByte)
  }

  #noteSpeed(name: string, nsPerByte: number): void {
    const fastest = this.#fastestNsPerByte.get(name)
    if (fastest === undefined || nsPerByte < fastest) this.#fastestNsPerByte.set(name, nsPerByte)
  }
}

function update(table: Map<string, Measured>, name: string, value: number, chunk: number): void {
  const previous = table.get(name)
  table.set(name, {
    value: ewma(previous?.value, value),
    samples: (previous?.samples ?? 0) + 1,
    lastChunk: chunk,
  })
}
