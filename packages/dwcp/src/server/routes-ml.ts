import { isAbsolute } from 'node:path'
import type { ServerContext } from './context.js'
import { HttpError, type Reply, stringField } from './http-io.js'
import type { TrainableModel } from './trainer.js'

/** Where `ml retrain` reads traces and writes models. */
export interface MlPaths {
  tracesDirectory: string
  modelsDirectory: string
}

/** The model a `--component` names: a PBA model directly, or `prediction` for the node's own mode's model. */
function modelOf(ctx: ServerContext, component: string): TrainableModel {
  if (component === 'datacenter' || component === 'internet') return component
  if (component === 'prediction') return ctx.node.mode === 'internet' ? 'internet' : 'datacenter'
  if (component === 'compression')
    throw new HttpError(
      501,
      'not_trainable',
      'the compression component has no offline model to retrain: the adaptive codec learns online, per chunk, ' +
        'from the transfers it compresses (see dwcp stats compression --detailed)',
    )
  throw new HttpError(
    400,
    'bad_request',
    `component: expected datacenter, internet, prediction or compression, got ${component}`,
  )
}

/**
 * `POST /v1/ml/retrain {component}`: trains the PBA model in a worker thread, streaming the trainer's lines as
 * progress, and writes `<models>/<model>.onnx`. Running predictors keep the model they loaded.
 */
export async function retrain(
  ctx: ServerContext,
  paths: MlPaths,
  body: Record<string, unknown>,
  reply: Reply,
): Promise<unknown> {
  const model = modelOf(ctx, stringField(body, 'component') as string)
  if (!isAbsolute(paths.modelsDirectory))
    throw new HttpError(500, 'internal', 'models directory is not absolute')
  return ctx.exclusive('retrain', async () => {
    const started = Date.now()
    reply.progress(`training the ${model} model`, { tracesDirectory: paths.tracesDirectory })
    let files: string[]
    try {
      files = await ctx.trainer(
        { model, tracesDirectory: paths.tracesDirectory, outDirectory: paths.modelsDirectory },
        (line) => reply.progress(line.trim()),
        ctx.stopSignal,
      )
    } catch (error) {
      throw new HttpError(500, 'training_failed', (error as Error).message, { model })
    }
    ctx.logger.info({ model, files }, 'model retrained')
    return {
      model,
      files,
      durationMs: Date.now() - started,
      note:
        'running predictors keep their model: this release loads the model shipped with @dwcp/pba, so putting ' +
        'the retrained file in service is a separate deployment step',
    }
  })
}
