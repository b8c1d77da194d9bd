import type { PredictorFactory } from '@dwcp/core'
import { ensemblePredictor, onnxPredictor } from '@dwcp/pba'
import type { ModeDefaults } from './mode-defaults.js'

/**
 * The predictor of a mode's `prediction.model` (DESIGN.md §1): the shipped `datacenter` GRU (history 10) or
 * `internet` GRU (history 60), run through onnxruntime with the harmonic-mean baseline serving until the history
 * is full or if the model cannot load; in hybrid mode both, combined by confidence.
 */
export function defaultPredictor(defaults: ModeDefaults): PredictorFactory {
  switch (defaults.prediction.model) {
    case 'datacenter':
      return onnxPredictor({ model: 'datacenter' })
    case 'internet':
      return onnxPredictor({ model: 'internet' })
    case 'ensemble':
      return ensemblePredictor({
        members: [onnxPredictor({ model: 'datacenter' }), onnxPredictor({ model: 'internet' })],
      })
  }
}
