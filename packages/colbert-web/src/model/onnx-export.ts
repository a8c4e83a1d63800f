/**
 * ONNX exports that Hugging Face repositories publish beside the safetensors weights (Optimum and transformers.js
 * layout: onnx/model.onnx, onnx/model_fp16.onnx, onnx/model_quantized.onnx): which file each `weights` option names,
 * and the checks that tie an export to its checkpoint. The export replaces the backbone graph this SDK would build;
 * `export-session.ts` runs it with the ColBERT head after it.
 */
import { ColbertError, ErrorCode, isColbertError } from '../errors.js';
import type { LoadOptions } from '../protocol/encoder-api.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { ModelFiles } from './files/model-files.js';
import { ATTENTION_MASK, INPUT_IDS } from './graph/build-graph.js';
import { OnnxDataType } from './graph/onnx-proto.js';
import { readOnnxSignature } from './onnx-signature.js';
import type { OnnxSignature, OnnxValueInfo } from './onnx-signature.js';

/** `LoadOptions.weights`: where the backbone's weights come from. */
export type WeightsFormat = NonNullable<LoadOptions['weights']>;
/** The ONNX export formats. */
export type ExportFormat = Exclude<WeightsFormat, 'safetensors'>;

/** The file of each export format, relative to the checkpoint root. */
export const EXPORT_FILES: Readonly<Record<ExportFormat, string>> = {
  onnx: 'onnx/model.onnx',
  'onnx-fp16': 'onnx/model_fp16.onnx',
  'onnx-int8': 'onnx/model_quantized.onnx',
};

/** Graph input for token types: exports of BERT-like models declare it; the encoder feeds zeros. */
export const TOKEN_TYPE_IDS = 'token_type_ids';
/** Optimum's name for a backbone's output; breaks the tie when hidden size and output dim are equal. */
const LAST_HIDDEN_STATE = 'last_hidden_state';

/** A published ONNX export, read and checked against the checkpoint it belongs to. */
export interface OnnxExport {
  readonly format: ExportFormat;
  readonly file: string;
  /** The model bytes, as onnxruntime takes them. */
  readonly model: Uint8Array;
  /** The export declares `token_type_ids` (fed as zeros, the token type the encoder always uses). */
  readonly tokenTypeIds: boolean;
  /** The export's first output, which the head consumes. */
  readonly output: string;
  readonly outputType: 'float32' | 'float16';
  /** The output's last dimension. */
  readonly width: number;
  /**
   * What runs after the export. 'dense': it ends at the backbone (width = hidden_size), so the Dense modules and
   * the L2 normalisation follow. 'normalize': the Dense stack is folded in (width = the checkpoint's output dim), so
   * only the L2 normalisation follows (a no-op on rows the export already normalised).
   */
  readonly head: 'dense' | 'normalize';
}

/** What the checkpoint says the export must look like. */
export interface ExportExpectation {
  readonly hiddenSize: number;
  /** The checkpoint's output dim (last Dense module's out_features, or hidden_size). */
  readonly dim: number;
  readonly denseModules: number;
}

const WEIGHTS_FORMATS: readonly string[] = ['safetensors', ...Object.keys(EXPORT_FILES)];

/** Validates `LoadOptions.weights` (default 'safetensors'), naming the field when it is wrong. */
export function weightsFormat(value: unknown): WeightsFormat {
  if (value === undefined) return 'safetensors';
  if (typeof value !== 'string' || !WEIGHTS_FORMATS.includes(value)) {
    throw new ColbertError(ErrorCode.InvalidInput, `weights must be one of ${WEIGHTS_FORMATS.map((w) => `'${w}'`).join(', ')} (got ${JSON.stringify(value)}).`, { subject: 'weights' });
  }
  return value as WeightsFormat;
}

/**
 * Downloads an export and checks it against the checkpoint (see `describeExport`).
 *
 * @example
 * const onnx = await readOnnxExport(files, 'onnx-int8', { hiddenSize: 384, dim: 96, denseModules: 1 });
 * onnx.head; // 'dense': the export is the backbone alone
 */
export async function readOnnxExport(files: ModelFiles, format: ExportFormat, expected: ExportExpectation, options: OperationOptions = {}): Promise<OnnxExport> {
  const file = EXPORT_FILES[format];
  let model: Uint8Array;
  try {
    model = await files.read(file, options);
  } catch (cause) {
    if (!isColbertError(cause) || cause.code !== ErrorCode.ModelFileMissing) throw cause;
    // The files layer says what failed (absent, unreachable); add which option asked for the file.
    const reason = cause.message.split('. ')[0]!.replace(/\.$/, '');
    throw new ColbertError(
      ErrorCode.ModelFileMissing,
      `${reason}. weights: '${format}' loads ${file}, an ONNX export; pick one the repository publishes (${Object.values(EXPORT_FILES).join(', ')}) or weights: 'safetensors'.`,
      { subject: file, cause },
    );
  }
  return { format, file, model, ...describeExport(model, file, expected) };
}

/**
 * Checks an export's inputs (int64 `input_ids` and `attention_mask` with dynamic batch and sequence axes, optionally
 * `token_type_ids`) and decides from its first output's last dimension what runs after it: hidden_size → the Dense
 * modules and L2 normalisation, the checkpoint's output dim → L2 normalisation only. When both are equal (a Dense
 * stack that keeps the width), an output named `last_hidden_state` counts as the backbone alone.
 */
export function describeExport(model: Uint8Array, file: string, expected: ExportExpectation): Omit<OnnxExport, 'format' | 'file' | 'model'> {
  let signature: OnnxSignature;
  try {
    signature = readOnnxSignature(model);
  } catch (cause) {
    throw new ColbertError(ErrorCode.ModelFileCorrupt, `${file} is not an ONNX model (${(cause as Error).message}).`, { subject: file, cause });
  }
  const unsupported = (message: string): ColbertError => new ColbertError(ErrorCode.ModelUnsupported, `${file}: ${message}`, { subject: file });
  const fed = [INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS];
  for (const input of signature.inputs) {
    if (!fed.includes(input.name)) throw unsupported(`graph input "${input.name}" is not one the encoder can feed (${fed.join(', ')}).`);
    checkTokenInput(input, unsupported);
  }
  for (const name of [INPUT_IDS, ATTENTION_MASK]) {
    if (!signature.inputs.some((i) => i.name === name)) throw unsupported(`the graph has no "${name}" input.`);
  }

  const output = signature.outputs[0];
  if (output === undefined) throw unsupported('the graph has no output.');
  const outputType = output.elemType === OnnxDataType.Float ? 'float32' : output.elemType === OnnxDataType.Float16 ? 'float16' : undefined;
  if (outputType === undefined) throw unsupported(`output "${output.name}" is not float32 or float16 (ONNX type ${String(output.elemType)}).`);
  const width = output.dims?.at(-1);
  if (output.dims?.length !== 3 || typeof width !== 'number') {
    throw unsupported(`output "${output.name}" must be [batch, sequence, width] with a fixed width (declared [${output.dims?.join(', ') ?? 'unknown'}]).`);
  }
  const { hiddenSize, dim, denseModules } = expected;
  const backboneOnly = width === hiddenSize && (denseModules === 0 || width !== dim || output.name === LAST_HIDDEN_STATE);
  if (!backboneOnly && width !== dim) {
    throw new ColbertError(
      ErrorCode.ModelShapeMismatch,
      `${file}: output "${output.name}" is ${width} wide, but config.json's hidden_size is ${hiddenSize} and the Dense modules output ${dim}; this export does not belong to this checkpoint.`,
      { subject: file },
    );
  }
  return {
    tokenTypeIds: signature.inputs.some((i) => i.name === TOKEN_TYPE_IDS),
    output: output.name,
    outputType,
    width,
    head: backboneOnly ? 'dense' : 'normalize',
  };
}

function checkTokenInput(input: OnnxValueInfo, unsupported: (message: string) => ColbertError): void {
  if (input.elemType !== OnnxDataType.Int64) throw unsupported(`input "${input.name}" must be int64 (ONNX type ${String(input.elemType)}).`);
  if (input.dims === undefined) return;
  if (input.dims.length !== 2 || input.dims.some((d) => typeof d === 'number')) {
    throw unsupported(`input "${input.name}" must be [batch, sequence] with both axes dynamic (declared [${input.dims.join(', ')}]); export with dynamic axes.`);
  }
}
