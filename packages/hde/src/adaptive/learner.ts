import type { AlgorithmEstimate } from './cost-model.js'

/** Weight of the newest observation in the running averages: recent enough to follow a change of workload. */
const ALPHA = 0.2

const ewma = (previous: number | undefined, value: number): number =>
  previous === undefined ? value : previous + ALPHA * (value - previous)

interface ClassKnowledge {
  chunks: number
  /** Frame bytes per byte on the class's probes, per candidate, with the class chunk count when measured. */
  probeRatio: Map<string, { ratio: number; samples: number; lastChunk: number }>
  /** Whole-chunk ratio over probe ratio, learnt from the chunks actually sent: probes are small. */
  calibration: number | undefined
}

/**
 * What the adaptive codec knows. Encode speed is a property of the codec more than of the data, so it is learnt
 * per candidate across classes, from every encode. Ratios are learnt per class, and compared on equal footing:
 * every candidate's ratio on a class comes from probes (the same slices, the same size), and one per-class
 * factor — the whole chunk's ratio over its probe's, measured on the chunks actually sent — scales them all to
 * whole chunks. Feeding whole-chunk ratios only to the candidate in use would favour it over the others, whose
 * ratios come from smaller, less compressible probes.
 */
export class AdaptiveLearner {
  readonly #speedNsPerByte = new Map<string, number>()
  readonly #classes = new Map<string, ClassKnowledge>()

  /** Counts one chunk of `className`; returns the class's chunk count (1 for its first chunk). */
  nextChunk(className: string): number {
    let known = this.#classes.get(className)
    if (!known) {
      known = { chunks: 0, probeRatio: new Map(), calibration: undefined }
      this.#classes.set(className, known)
    }
    return ++known.chunks
  }

  /** Encode time per byte of `name` (undefined before its first encode). */
  speedNsPerByte(name: string): number | undefined {
    return this.#speedNsPerByte.get(name)
  }

  /** Records an encode's speed (probe or whole chunk). */
  observeSpeed(name: string, nsPerByte: number): void {
    this.#speedNsPerByte.set(name, ewma(this.#speedNsPerByte.get(name), nsPerByte))
  }

  /** Records a probe's ratio. */
  observeProbe(className: string, name: string, ratio: number): void {
    const known = this.#classes.get(className)
    if (!known) return
    const previous = known.probeRatio.get(name)
    known.probeRatio.set(name, {
      ratio: ewma(previous?.ratio, ratio),
      samples: (previous?.samples ?? 0) + 1,
      lastChunk: known.chunks,
    })
  }

  /** Records the ratio of a whole chunk sent with `name`, which calibrates the class's probes. */
  observeChunk(className: string, name: string, ratio: number): void {
    const known = this.#classes.get(className)
    const probe = known?.probeRatio.get(name)
    if (!known || !probe || probe.ratio <= 0) return
    known.calibration = ewma(known.calibration, ratio / probe.ratio)
  }

  /** The estimate of `name` on `className`, or undefined while it has not been probed there. */
  estimate(className: string, name: string): AlgorithmEstimate | undefined {
    const known = this.#classes.get(className)
    const probe = known?.probeRatio.get(name)
    const speed = this.#speedNsPerByte.get(name)
    if (!known || !probe || speed === undefined) return undefined
    return {
      encodeNsPerByte: speed,
      sizeRatio: probe.ratio * (known.calibration ?? 1),
      samples: probe.samples,
      lastChunk: probe.lastChunk,
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
