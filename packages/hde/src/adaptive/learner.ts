import type { AlgorithmEstimate } from './cost-model.js'

/** Weight of the newest observation in the running averages: recent enough to follow a change of workload. */
const ALPHA = 0.3

const ewma = (previous: number | undefined, value: number): number =>
  previous === undefined ? value : previous + ALPHA * (value - previous)

interface Measured {
  nsPerByte: number
  ratio: number
  samples: number
  lastChunk: number
}

interface ClassKnowledge {
  chunks: number
  /** From probes (small slices): every contender, on equal footing. */
  probe: Map<string, Measured>
  /** From whole chunks actually sent: what a choice really costs on this class. */
  whole: Map<string, Measured>
}

/**
 * What the adaptive codec knows, per class of chunk and per candidate: encode speed and ratio, measured on
 * probes and on whole chunks, kept apart. Both depend on the data (zero pages encode at memory speed, random
 * bytes not at all), so nothing is shared across classes except a hint of each codec's speed, used only to
 * decide whether a codec is worth probing at all. A whole-chunk measurement, once there is one, is preferred to
 * a probe's: probes are small, so they understate both the ratio a codec reaches and its per-call overhead.
 */
export class AdaptiveLearner {
  readonly #classes = new Map<string, ClassKnowledge>()
  readonly #slowestNsPerByte = new Map<string, number>()

  /** Counts one chunk of `className`; returns the class's chunk count (1 for its first chunk). */
  nextChunk(className: string): number {
    let known = this.#classes.get(className)
    if (!known) {
      known = { chunks: 0, probe: new Map(), whole: new Map() }
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
      known?.whole.get(name)?.nsPerByte ??
      known?.probe.get(name)?.nsPerByte ??
      this.#slowestNsPerByte.get(name)
    )
  }

  /** Records one encode of `name` on `className`: a probe or a whole chunk. */
  observe(className: string, name: string, nsPerByte: number, ratio: number, whole: boolean): void {
    const known = this.#classes.get(className)
    if (!known) return
    const table = whole ? known.whole : known.probe
    const previous = table.get(name)
    table.set(name, {
      nsPerByte: ewma(previous?.nsPerByte, nsPerByte),
      ratio: ewma(previous?.ratio, ratio),
      samples: (previous?.samples ?? 0) + 1,
      lastChunk: known.chunks,
    })
    const fastest = this.#slowestNsPerByte.get(name)
    if (fastest === undefined || nsPerByte < fastest) this.#slowestNsPerByte.set(name, nsPerByte)
  }

  /** Whether `name` has been sent as a whole chunk of `className`. */
  triedWhole(className: string, name: string): boolean {
    return this.#classes.get(className)?.whole.has(name) ?? false
  }

  /** The estimate of `name` on `className`: whole-chunk if there is one, else the probes'; undefined if neither. */
  estimate(className: string, name: string): AlgorithmEstimate | undefined {
    const known = this.#classes.get(className)
    const measured = known?.whole.get(name) ?? known?.probe.get(name)
    if (!measured) return undefined
    return {
      encodeNsPerByte: measured.nsPerByte,
      sizeRatio: measured.ratio,
      samples: measured.samples,
      lastChunk: measured.lastChunk,
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
}
