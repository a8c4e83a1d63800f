import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { LoadOptions } from '../protocol/encoder-api.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { BertBackbone } from './bert.js';
import { readBertConfig, readBertWeights } from './bert.js';
import type { ColbertSettings } from './colbert-settings.js';
import { readColbertSettings } from './colbert-settings.js';
import type { DenseLayer } from './dense.js';
import { checkDenseChain, readDenseLayer } from './dense.js';
import type { ModelFiles } from './files/model-files.js';
import { readJson } from './files/model-files.js';
import type { ModernBertBackbone } from './modernbert.js';
import { readModernBertConfig, readModernBertWeights } from './modernbert.js';
import type { OnnxExport } from './onnx-export.js';
import { readOnnxExport, weightsFormat } from './onnx-export.js';
import { parseSafetensors } from './safetensors.js';
import type { TensorMap } from './safetensors.js';

/** A backbone: its config and validated weights, one member per architecture (`kind` = config.json's model_type). */
export type Backbone = BertBackbone | ModernBertBackbone;

/** A backbone's validated config, and how to read its weights once model.safetensors is loaded. */
interface BackboneReader<B extends Backbone> {
  readonly config: B['config'];
  readWeights(tensors: TensorMap, file: string): B;
}

/** config.json model_type → its backbone reader; a new architecture is one more entry. */
const BACKBONE_READERS: { readonly [K in Backbone['kind']]: (json: Record<string, unknown>) => BackboneReader<Extract<Backbone, { kind: K }>> } = {
  bert: (json) => {
    const config = readBertConfig(json);
    return { config, readWeights: (tensors, file) => ({ kind: 'bert', config, weights: readBertWeights(config, tensors, file) }) };
  },
  modernbert: (json) => {
    const config = readModernBertConfig(json);
    return { config, readWeights: (tensors, file) => ({ kind: 'modernbert', config, weights: readModernBertWeights(config, tensors, file) }) };
  },
};

function isBackboneKind(value: unknown): value is Backbone['kind'] {
  return typeof value === 'string' && Object.hasOwn(BACKBONE_READERS, value);
}

/** The raw tokenizer files, parsed; `tokenizer.ts` builds the tokenizer from them. */
export interface TokenizerFiles {
  readonly tokenizerJson: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  readonly specialTokensMap: Record<string, unknown>;
}

/** A loaded, validated PyLate checkpoint. */
export interface Checkpoint {
  readonly location: string;
  readonly backbone: Backbone;
  /** Dense modules in modules.json order. */
  readonly dense: readonly DenseLayer[];
  readonly settings: ColbertSettings;
  readonly tokenizer: TokenizerFiles;
  /** Output vector width (last Dense module's out_features, or hidden size if there is none). */
  readonly dim: number;
}

/** A backbone's kind and validated config.json, without weights. */
export type BackboneSpec = { [K in Backbone['kind']]: Pick<Extract<Backbone, { kind: K }>, 'kind' | 'config'> }[Backbone['kind']];

/**
 * A checkpoint whose backbone runs from an ONNX export the repository publishes (`LoadOptions.weights`): config.json,
 * the tokenizer and the Dense modules as in a `Checkpoint`, the export instead of the backbone's weights.
 */
export interface ExportCheckpoint extends Omit<Checkpoint, 'backbone'> {
  readonly backbone: BackboneSpec;
  readonly onnxExport: OnnxExport;
}

/** What `loadCheckpoint` returns: weights from model.safetensors, or an ONNX export. */
export type LoadedCheckpoint = Checkpoint | ExportCheckpoint;

export function isExportCheckpoint(checkpoint: LoadedCheckpoint): checkpoint is ExportCheckpoint {
  return 'onnxExport' in checkpoint;
}

/** `loadCheckpoint`'s options: progress and abort, and which weights to load. */
export type CheckpointOptions = OperationOptions & Pick<LoadOptions, 'weights'>;

const DENSE_TYPES = new Set(['pylate.models.Dense.Dense', 'sentence_transformers.models.Dense']);
const TRANSFORMER_TYPE = 'sentence_transformers.models.Transformer';

interface ModuleEntry {
  path: string;
  type: string;
}

/**
 * Loads a PyLate checkpoint folder (config.json, config_sentence_transformers.json, modules.json,
 * tokenizer files, model.safetensors, Dense modules) and validates it. With `weights` set to an ONNX export
 * ('onnx', 'onnx-fp16', 'onnx-int8'), the export is read instead of model.safetensors (see `onnx-export.ts`).
 *
 * @example
 * const checkpoint = await loadCheckpoint(urlFiles('https://huggingface.co/org/model/resolve/main'));
 * const quantized = await loadCheckpoint(files, { weights: 'onnx-int8' }); // an ExportCheckpoint
 */
export async function loadCheckpoint(files: ModelFiles, options?: CheckpointOptions & { weights?: 'safetensors' }): Promise<Checkpoint>;
export async function loadCheckpoint(files: ModelFiles, options?: CheckpointOptions): Promise<LoadedCheckpoint>;
export async function loadCheckpoint(files: ModelFiles, options: CheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const { signal, onProgress } = options;
  const weights = weightsFormat(options.weights);
  const modules = await readModules(files, options);
  const configJson = await readJson<Record<string, unknown>>(files, 'config.json', { signal });
  const settings = readColbertSettings(await readJson<Record<string, unknown>>(files, 'config_sentence_transformers.json', { signal }));
  const tokenizer: TokenizerFiles = {
    tokenizerJson: await readJson(files, 'tokenizer.json', { signal }),
    tokenizerConfig: (await files.exists('tokenizer_config.json')) ? await readJson(files, 'tokenizer_config.json', { signal }) : {},
    specialTokensMap: (await files.exists('special_tokens_map.json')) ? await readJson(files, 'special_tokens_map.json', { signal }) : {},
  };
  onProgress?.({ phase: 'load', step: 'tokenizer', loaded: 1, total: 1 });

  const modelType = configJson['model_type'];
  if (!isBackboneKind(modelType)) {
    throw new ColbertError(
      ErrorCode.ModelUnsupported,
      `config.json: model_type "${String(modelType)}" is not supported (supported: ${Object.keys(BACKBONE_READERS).join(', ')}).`,
      { subject: 'config.json:model_type' },
    );
  }
  // Config first: a bad config.json fails before the (large) weights are downloaded.
  const reader: BackboneReader<Backbone> = BACKBONE_READERS[modelType](configJson);
  const { config } = reader;
  checkSequenceLengths(settings, config.maxPositions);
  const weightsFile = 'model.safetensors';
  const backbone = weights === 'safetensors' ? reader.readWeights(parseSafetensors(await files.read(weightsFile, options), weightsFile), weightsFile) : undefined;

  const dense: DenseLayer[] = [];
  const denseModules = modules.filter((m) => DENSE_TYPES.has(m.type));
  for (const [i, module] of denseModules.entries()) {
    throwIfAborted(signal);
    const denseConfig = await readJson<Record<string, unknown>>(files, `${module.path}/config.json`, { signal });
    const file = `${module.path}/model.safetensors`;
    dense.push(readDenseLayer(module.path, denseConfig, parseSafetensors(await files.read(file, options), file)));
    onProgress?.({ phase: 'load', step: 'weights', loaded: i + 1, total: denseModules.length });
  }
  checkDenseChain(config.hiddenSize, dense);
  const dim = dense.at(-1)?.outFeatures ?? config.hiddenSize;
  const common = { location: files.location, dense, settings, tokenizer, dim };
  if (weights === 'safetensors') return { ...common, backbone: backbone! };
  // The export is read after the (small) Dense modules: its output width is checked against their dims.
  const onnxExport = await readOnnxExport(files, weights, { hiddenSize: config.hiddenSize, dim, denseModules: dense.length }, options);
  return { ...common, backbone: { kind: modelType, config } as BackboneSpec, onnxExport };
}

/**
 * Every sequence the encoder runs is at most query_length or document_length tokens (split documents are cut
 * into windows of document_length), so checking both against the backbone's positions here means no input can
 * ever be longer than max_position_embeddings (position table for BERT, rotary tables for ModernBERT).
 */
function checkSequenceLengths(settings: ColbertSettings, maxPositions: number): void {
  for (const [field, length] of [['query_length', settings.queryLength], ['document_length', settings.documentLength]] as const) {
    if (length > maxPositions) {
      throw new ColbertError(
        ErrorCode.ModelUnsupported,
        `config_sentence_transformers.json: ${field} is ${length} but the model has only ${maxPositions} positions (config.json max_position_embeddings); lower ${field} to at most ${maxPositions}.`,
        { subject: `config_sentence_transformers.json:${field}` },
      );
    }
  }
}

async function readModules(files: ModelFiles, { signal }: OperationOptions): Promise<ModuleEntry[]> {
  const json = await readJson<unknown>(files, 'modules.json', { signal });
  if (!Array.isArray(json)) throw new ColbertError(ErrorCode.ModelFileCorrupt, 'modules.json must be a list of modules.', { subject: 'modules.json' });
  const modules = json.map((m: unknown, i): ModuleEntry => {
    const { path, type } = (m ?? {}) as Record<string, unknown>;
    if (typeof path !== 'string' || typeof type !== 'string') {
      throw new ColbertError(ErrorCode.ModelFileCorrupt, `modules.json: entry ${i} needs string "path" and "type".`, { subject: 'modules.json' });
    }
    return { path: path.replace(/\/+$/, ''), type };
  });
  if (modules[0]?.type !== TRANSFORMER_TYPE) {
    throw new ColbertError(ErrorCode.ModelUnsupported, `modules.json: the first module must be ${TRANSFORMER_TYPE}.`, { subject: 'modules.json' });
  }
  const unknown = modules.slice(1).find((m) => !DENSE_TYPES.has(m.type));
  if (unknown) {
    throw new ColbertError(ErrorCode.ModelUnsupported, `modules.json: module type ${unknown.type} (${unknown.path}) is not supported; a PyLate checkpoint has a Transformer followed by Dense modules.`, { subject: 'modules.json' });
  }
  return modules;
}
