import { isDwcpError, seededRandom } from '@dwcp/core'
import onnxProto from 'onnx-proto'
import { describe, expect, it } from 'vitest'
import { forwardGru } from './gru-model.js'
import { exportGruOnnx, ONNX_IR_VERSION, ONNX_OPSET_VERSION } from './onnx-export.js'
import { DIGEST_KEY, FORMAT_KEY, METADATA_KEY, NORMALIZATION_KEY } from './onnx-integrity.js'
import { loadOnnxModel } from './onnx-model.js'
import { randomSequence, randomWeights, testMetadata, testNormalization } from './test-support.js'

const { onnx } = onnxProto

function expectInvalid(fn: () => unknown, argument: string): void {
  try {
    fn()
  } catch (error) {
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    expect((error as { data: { argument: string } }).data.argument).toBe(argument)
    return
  }
  throw new Error(`expected an InvalidArgumentError for ${argument}`)
}

describe('exportGruOnnx → onnxruntime', () => {
  // [T, F, H]: a single step and unit, uneven sizes, and the two default shapes (datacenter 10, internet 60).
  it.each([
    [1, 1, 1],
    [5, 3, 4],
    [10, 4, 16],
    [17, 7, 9],
    [60, 4, 16],
    [24, 2, 32],
  ])('computes forwardGru within 1e-5 (T=%i, F=%i, H=%i)', async (T, F, H) => {
    const weights = randomWeights(F, H, T * 1000 + F * 100 + H)
    const model = await loadOnnxModel(
      exportGruOnnx(weights, { normalization: testNormalization(F), metadata: testMetadata(T) }),
    )
    try {
      const random = seededRandom(T + F + H)
      const sequences = Array.from({ length: 9 }, () => randomSequence(T, F, random))
      const batch = await model.predictBatch(sequences)
      let worst = 0
      for (const [b, sequence] of sequences.entries()) {
        const expected = forwardGru(weights, sequence)
        worst = Math.max(worst, Math.abs(batch[b]! - expected))
        expect(Math.abs((await model.predict(sequence)) - expected)).toBeLessThan(1e-5)
      }
      console.log(`T=${T} F=${F} H=${H}: max |onnxruntime − forwardGru| = ${worst.toExponential(2)}`)
      expect(worst).toBeLessThan(1e-5)
      // Not a constant: the inputs must move the output, or the comparison would prove nothing.
      expect(Math.max(...batch) - Math.min(...batch)).toBeGreaterThan(1e-3)
    } finally {
      await model.dispose()
    }
  })

  it('writes the graph and metadata ONNX expects, deterministically', () => {
    const weights = randomWeights(4, 3, 8)
    const options = {
      normalization: testNormalization(4),
      metadata: testMetadata(10, { mode: 'datacenter' }),
    }
    const bytes = exportGruOnnx(weights, options)
    expect(exportGruOnnx(weights, options)).toEqual(bytes)

    const model = onnx.ModelProto.decode(bytes)
    expect(Number(model.irVersion)).toBe(ONNX_IR_VERSION)
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', ONNX_OPSET_VERSION]])
    // Decoded messages are class instances, whose repeated fields are always arrays.
    const graph = model.graph as InstanceType<typeof onnx.GraphProto>
    expect(graph.node.map((n) => n.opType)).toEqual(['Transpose', 'GRU', 'Squeeze', 'Gemm'])
    const gru = graph.node[1]!
    expect(Object.fromEntries(gru.attribute!.map((a) => [a.name, Number(a.i)]))).toEqual({
      hidden_size: 3,
      linear_before_reset: 1,
    })
    const dims = (name: string) => graph.initializer.find((t) => t.name === name)!.dims!.map(Number)
    expect(dims('gru_W')).toEqual([1, 9, 4])
    expect(dims('gru_R')).toEqual([1, 9, 3])
    expect(dims('gru_B')).toEqual([1, 18])
    const bias = graph.initializer.find((t) => t.name === 'gru_B')!.floatData
    expect(bias).toEqual([...weights.Wb, ...weights.Rb])
    const input = graph.input[0]!
    expect(input.name).toBe('features')
    expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual([
      'batch',
      10,
      4,
    ])

    const props = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]))
    expect(Object.keys(props)).toEqual([FORMAT_KEY, METADATA_KEY, NORMALIZATION_KEY, DIGEST_KEY])
    expect(JSON.parse(props[METADATA_KEY]!)).toEqual(options.metadata)
    expect(JSON.parse(props[NORMALIZATION_KEY]!)).toEqual(options.normalization)
    expect(props[DIGEST_KEY]).toMatch(/^[0-9a-f]{64}$/)
  })

  it('rejects weights, normalisation and metadata that do not fit', () => {
    const weights = randomWeights(3, 2, 1)
    const ok = { normalization: testNormalization(3), metadata: testMetadata(5) }
    expectInvalid(
      () => exportGruOnnx(weights, { ...ok, normalization: testNormalization(4) }),
      'normalization.names',
    )
    expectInvalid(
      () => exportGruOnnx(weights, { ...ok, normalization: { ...ok.normalization, scales: [1, 0, 1] } }),
      'normalization.scales[1]',
    )
    expectInvalid(() => exportGruOnnx(weights, { ...ok, metadata: testMetadata(0) }), 'metadata.historySteps')
    expectInvalid(
      () => exportGruOnnx(weights, { ...ok, metadata: { ...ok.metadata, mode: 'hybrid' as 'internet' } }),
      'metadata.mode',
    )
    expectInvalid(
      () => exportGruOnnx(weights, { ...ok, metadata: { ...ok.metadata, createdAt: 'yesterday' } }),
      'metadata.createdAt',
    )
    expectInvalid(
      () => exportGruOnnx({ ...weights, Wb: Float32Array.of(1, 2, 3, 4, 5, Number.NaN) }, ok),
      'weights.Wb',
    )
  })
})
