/**
 * Runs a published ONNX export (see `onnx-export.ts`) as the encoder's network: the export, then the ColBERT head
 * (Dense modules unless folded in, L2 normalisation) as a second small model built here.
 */
import { Tensor } from 'onnxruntime-web';
import { ColbertError, ErrorCode } from '../errors.js';
import type { ExportCheckpoint } from './checkpoint.js';
import type { DenseLayer } from './dense.js';
import { ATTENTION_MASK, EMBEDDINGS, INPUT_IDS } from './graph/build-graph.js';
import { denseGraph } from './graph/dense-graph.js';
import { GraphBuilder } from './graph/graph-builder.js';
import { OnnxDataType, attr } from './graph/onnx-proto.js';
import type { OnnxExport } from './onnx-export.js';
import { TOKEN_TYPE_IDS } from './onnx-export.js';
import type { OrtSession, OrtSessionOptions, RunOptions, SessionFactory } from './ort-session.js';
import { createOrtSession } from './ort-session.js';

/** The head model's input: the export's first output. */
const HEAD_INPUT = 'hidden_states';

/**
 * The model that runs after an export: float16 → float32 when the export outputs float16, then the Dense modules
 * (head 'dense') and the L2 normalisation. Input `hidden_states` [batch, sequence, width], output `embeddings`.
 *
 * @example
 * const head = buildHeadGraph(checkpoint.onnxExport, checkpoint.dense, checkpoint.dim);
 */
export function buildHeadGraph(onnx: OnnxExport, dense: readonly DenseLayer[], dim: number): Uint8Array {
  const g = new GraphBuilder('colbert-head');
  const type = onnx.outputType === 'float16' ? OnnxDataType.Float16 : OnnxDataType.Float;
  let hidden = g.input(HEAD_INPUT, type, ['batch', 'sequence', onnx.width]);
  if (type === OnnxDataType.Float16) hidden = g.op('Cast', [hidden], { to: attr.int(OnnxDataType.Float) });
  g.output(denseGraph(g, onnx.head === 'dense' ? dense : [], hidden), EMBEDDINGS, OnnxDataType.Float, ['batch', 'sequence', dim]);
  return g.build();
}

/**
 * The export and the head as one `OrtSession`: fed `input_ids` and `attention_mask`, it returns `embeddings` like the
 * graph built from safetensors. The head runs on WASM where the export does.
 *
 * @example
 * const session = await createExportSession(checkpoint, { backend: 'auto' });
 */
export async function createExportSession(checkpoint: ExportCheckpoint, options: OrtSessionOptions, createSession: SessionFactory = createOrtSession): Promise<OrtSession> {
  const onnx = checkpoint.onnxExport;
  if (onnx.format === 'onnx-int8') options = { ...options, backend: int8Backend(options.backend, onnx.file) };
  const backbone = await createSession(onnx.model, { ...options, outputLocation: 'cpu' });
  try {
    // Where the export fell back to WASM, so does the head; on WebGPU the head follows the caller's preference.
    const backend = backbone.backend.name === 'wasm' ? 'wasm' : options.backend;
    const head = await createSession(buildHeadGraph(onnx, checkpoint.dense, checkpoint.dim), { ...options, ...(backend ? { backend } : {}) });
    return new ExportSession(onnx, backbone, head);
  } catch (error) {
    await backbone.release();
    throw error;
  }
}

class ExportSession implements OrtSession {
  constructor(
    private readonly onnx: OnnxExport,
    private readonly backbone: OrtSession,
    private readonly head: OrtSession,
  ) {}

  get backend(): OrtSession['backend'] {
    return this.backbone.backend;
  }

  get outputLocation(): OrtSession['outputLocation'] {
    return this.head.outputLocation;
  }

  async run(feeds: Record<string, Tensor>, options: RunOptions = {}): Promise<Record<string, Tensor>> {
    const ids = feeds[INPUT_IDS]!;
    const exportFeeds: Record<string, Tensor> = { [INPUT_IDS]: ids, [ATTENTION_MASK]: feeds[ATTENTION_MASK]! };
    if (this.onnx.tokenTypeIds) exportFeeds[TOKEN_TYPE_IDS] = new Tensor('int64', new BigInt64Array(ids.size), ids.dims);
    const outputs = await this.backbone.run(exportFeeds);
    const hidden = outputs[this.onnx.output]!;
    for (const [name, tensor] of Object.entries(outputs)) if (name !== this.onnx.output) tensor.dispose();
    try {
      return await this.head.run({ [HEAD_INPUT]: hidden }, options);
    } finally {
      hidden.dispose();
    }
  }

  async release(): Promise<void> {
    await Promise.all([this.backbone.release(), this.head.release()]);
  }
}

/**
 * int8 exports run on WASM: onnxruntime-web 1.30's WebGPU EP returns wrong vectors for the
 * DynamicQuantizeLinear + MatMulInteger graph (row cosine with the reference −0.34 in e2e/onnx-exports.spec.ts).
 */
function int8Backend(preference: OrtSessionOptions['backend'], file: string): 'wasm' {
  if (preference === 'webgpu') {
    throw new ColbertError(
      ErrorCode.ModelUnsupported,
      `${file} is an int8 export, which onnxruntime-web's WebGPU backend computes wrongly; load it with backend 'wasm' or 'auto', or use weights 'onnx-fp16' on WebGPU.`,
      { subject: 'backend' },
    );
  }
  return 'wasm';
}
