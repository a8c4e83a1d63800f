import { ColbertError, ErrorCode } from '../errors.js';
import type { Linear, Norm } from './bert.js';
import { linearWeight } from './bert.js';
import type { Tensor, TensorMap } from './safetensors.js';

/** The fields of a Hugging Face ModernBERT config.json that change the computation (fixtures README §6.2). */
export interface ModernBertConfig {
  readonly kind: 'modernbert';
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** The GeGLU width I: `Wi` has 2·I rows. */
  readonly intermediateSize: number;
  /** Rows of the rotary tables; longer inputs are rejected. */
  readonly maxPositions: number;
  /** Layer i is global (full attention) when `layerIsGlobal[i]`, else local (sliding window). */
  readonly layerIsGlobal: readonly boolean[];
  /** `local_attention`: the total window; a local layer hides keys farther than floor(localAttention / 2). */
  readonly localAttention: number;
  readonly globalRopeTheta: number;
  readonly localRopeTheta: number;
  readonly normEps: number;
  readonly normBias: boolean;
  readonly attentionBias: boolean;
  readonly mlpBias: boolean;
  readonly padTokenId: number;
}

/** A weight without a bias tensor (ModernBERT's default); `bias` is set only when the config asks for one. */
export interface OptionalBiasLinear extends Omit<Linear, 'bias'> {
  readonly bias: Float32Array | undefined;
}

/** LayerNorm weight, and a bias only when `norm_bias` is true. */
export interface OptionalBiasNorm extends Omit<Norm, 'bias'> {
  readonly bias: Float32Array | undefined;
}

export interface ModernBertLayer {
  /** Absent in layer 0, whose attention input is the embedding output itself. */
  readonly attentionNorm: OptionalBiasNorm | undefined;
  /** [3H, H]: rows 0…H−1 are Q, H…2H−1 K, 2H…3H−1 V. */
  readonly qkv: OptionalBiasLinear;
  readonly attentionOutput: OptionalBiasLinear;
  readonly mlpNorm: OptionalBiasNorm;
  /** [2I, H]: the first I outputs go through GELU, the second I are the gate. */
  readonly mlpIn: OptionalBiasLinear;
  readonly mlpOut: OptionalBiasLinear;
}

export interface ModernBertWeights {
  /** `embeddings.tok_embeddings.weight` [V, H] (named like BERT's word embeddings: same role). */
  readonly wordEmbeddings: Float32Array;
  readonly embeddingNorm: OptionalBiasNorm;
  readonly layers: readonly ModernBertLayer[];
  readonly finalNorm: OptionalBiasNorm;
}

export interface ModernBertBackbone {
  readonly kind: 'modernbert';
  readonly config: ModernBertConfig;
  readonly weights: ModernBertWeights;
}

const CONFIG = 'config.json';

const corrupt = (key: string, message: string): ColbertError =>
  new ColbertError(ErrorCode.ModelFileCorrupt, `${CONFIG}: ${message}`, { subject: `${CONFIG}:${key}` });
const unsupported = (key: string, message: string): ColbertError =>
  new ColbertError(ErrorCode.ModelUnsupported, `${CONFIG}: ${message}`, { subject: `${CONFIG}:${key}` });

/**
 * Reads a ModernBERT config.json with transformers' defaults for missing fields. Besides the legacy fields
 * (`global_attn_every_n_layers`, `global_rope_theta`, `local_rope_theta`) it understands the newer
 * `layer_types` and `rope_parameters` spellings, and rejects what it cannot run (another activation, rope
 * scaling) naming the field.
 *
 * @example
 * const config = readModernBertConfig(JSON.parse(configJsonText));
 * config.layerIsGlobal; // [true, false, false, true, …] for global_attn_every_n_layers = 3
 */
export function readModernBertConfig(json: Record<string, unknown>): ModernBertConfig {
  const int = (key: string, fallback?: number, min = 0): number => {
    const v = json[key] ?? fallback;
    if (!Number.isSafeInteger(v) || (v as number) < min) {
      throw corrupt(key, `"${key}" must be an integer of at least ${min} (got ${JSON.stringify(json[key])}).`);
    }
    return v as number;
  };
  const positive = (key: string, value: unknown, fallback: number): number => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw corrupt(key, `"${key}" must be a positive number (got ${JSON.stringify(value)}).`);
    return v;
  };
  const bool = (key: string): boolean => {
    const v = json[key] ?? false;
    if (typeof v !== 'boolean') throw corrupt(key, `"${key}" must be true or false (got ${JSON.stringify(json[key])}).`);
    return v;
  };

  const activation = json['hidden_activation'] ?? 'gelu';
  if (activation !== 'gelu') {
    throw unsupported('hidden_activation', `hidden_activation "${String(activation)}" is not supported; ModernBERT PyLate models use exact (erf) "gelu".`);
  }
  if (json['rope_scaling'] !== undefined && json['rope_scaling'] !== null) {
    throw unsupported('rope_scaling', 'rope_scaling is not supported; only plain rotary embeddings (rope_type "default") are.');
  }

  const hiddenSize = int('hidden_size', undefined, 1);
  const numHeads = int('num_attention_heads', undefined, 1);
  const numLayers = int('num_hidden_layers');
  if (hiddenSize % numHeads !== 0) {
    throw corrupt('num_attention_heads', `hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads}.`);
  }
  if ((hiddenSize / numHeads) % 2 !== 0) {
    throw unsupported('num_attention_heads', `the head dimension ${hiddenSize / numHeads} is odd; rotary embeddings need an even one.`);
  }

  const rope = ropeThetas(json);
  const eps = json['norm_eps'] ?? json['layer_norm_eps'];
  return {
    kind: 'modernbert',
    vocabSize: int('vocab_size', undefined, 1),
    hiddenSize,
    numLayers,
    numHeads,
    intermediateSize: int('intermediate_size', undefined, 1),
    maxPositions: int('max_position_embeddings', 8192, 1),
    layerIsGlobal: layerPattern(json, numLayers),
    localAttention: int('local_attention', 128, 2),
    globalRopeTheta: rope.global,
    localRopeTheta: rope.local,
    normEps: positive(json['norm_eps'] === undefined ? 'layer_norm_eps' : 'norm_eps', eps, 1e-5),
    normBias: bool('norm_bias'),
    attentionBias: bool('attention_bias'),
    mlpBias: bool('mlp_bias'),
    padTokenId: int('pad_token_id', 50283),
  };
}

/** `layer_types` when present (newer transformers), else every `global_attn_every_n_layers`-th layer from 0. */
function layerPattern(json: Record<string, unknown>, numLayers: number): boolean[] {
  const types = json['layer_types'];
  if (types !== undefined && types !== null) {
    if (!Array.isArray(types) || types.length !== numLayers || !types.every((t) => t === 'full_attention' || t === 'sliding_attention')) {
      throw corrupt('layer_types', `"layer_types" must list "full_attention" or "sliding_attention" for each of the ${numLayers} layers.`);
    }
    return types.map((t) => t === 'full_attention');
  }
  const every = json['global_attn_every_n_layers'] ?? 3;
  if (!Number.isSafeInteger(every) || (every as number) < 1) {
    throw corrupt('global_attn_every_n_layers', `"global_attn_every_n_layers" must be a positive integer (got ${JSON.stringify(every)}).`);
  }
  return Array.from({ length: numLayers }, (_, i) => i % (every as number) === 0);
}

/** Rotary bases: `rope_parameters.{full,sliding}_attention.rope_theta`, else `global_rope_theta` / `local_rope_theta`. */
function ropeThetas(json: Record<string, unknown>): { global: number; local: number } {
  const params = json['rope_parameters'];
  const nested = (kind: 'full_attention' | 'sliding_attention'): number | undefined => {
    if (params === undefined || params === null) return undefined;
    const entry = (params as Record<string, unknown>)[kind] as Record<string, unknown> | undefined;
    if (entry === undefined || entry === null) return undefined;
    const type = entry['rope_type'] ?? 'default';
    if (type !== 'default') throw unsupported('rope_parameters', `rope_parameters.${kind}.rope_type "${String(type)}" is not supported (only "default").`);
    const theta = entry['rope_theta'];
    return theta === undefined ? undefined : (theta as number);
  };
  const theta = (key: string, value: unknown, fallback: number): number => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 1) throw corrupt(key, `"${key}" must be a number greater than 1 (got ${JSON.stringify(value)}).`);
    return v;
  };
  return {
    global: theta('global_rope_theta', nested('full_attention') ?? json['global_rope_theta'], 160_000),
    local: theta('local_rope_theta', nested('sliding_attention') ?? json['local_rope_theta'], 10_000),
  };
}

/** The prefixes a ModernBERT checkpoint may store its encoder under: ModernBertModel, or ModernBertFor*'s `model.`. */
const PREFIXES = ['', 'model.'] as const;

/**
 * Picks the ModernBERT tensors out of model.safetensors, with or without the `model.` prefix (masked-LM
 * checkpoints, whose `head.*` and `decoder.bias` are ignored), and checks every shape against config.json.
 * Bias tensors are read only where the config enables them.
 *
 * @example
 * const weights = readModernBertWeights(config, parseSafetensors(bytes, 'model.safetensors'));
 */
export function readModernBertWeights(config: ModernBertConfig, tensors: TensorMap, file = 'model.safetensors'): ModernBertWeights {
  const prefix = PREFIXES.find((p) => tensors.has(`${p}embeddings.tok_embeddings.weight`));
  if (prefix === undefined) {
    throw new ColbertError(ErrorCode.ModelFileCorrupt, `${file} has no embeddings.tok_embeddings.weight (with or without the "model." prefix); is this a ModernBERT checkpoint?`, { subject: file });
  }
  const tensorOf = (name: string, shape: readonly number[]): Tensor => {
    const full = prefix + name;
    const tensor: Tensor | undefined = tensors.get(full);
    if (!tensor) throw new ColbertError(ErrorCode.ModelFileCorrupt, `${file} has no tensor ${full}.`, { subject: `${file}:${full}` });
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new ColbertError(
        ErrorCode.ModelShapeMismatch,
        `${file}: ${full} has shape [${tensor.shape.join(', ')}] but config.json implies [${shape.join(', ')}].`,
        { subject: `${file}:${full}` },
      );
    }
    return tensor;
  };
  const get = (name: string, shape: readonly number[]): Float32Array => tensorOf(name, shape).data;
  const { hiddenSize: h, intermediateSize: inter } = config;
  const linear = (name: string, out: number, inp: number, bias: boolean): OptionalBiasLinear =>
    linearWeight(tensorOf(`${name}.weight`, [out, inp]), { bias: bias ? get(`${name}.bias`, [out]) : undefined, inFeatures: inp, outFeatures: out });
  const norm = (name: string): OptionalBiasNorm => ({
    weight: get(`${name}.weight`, [h]),
    bias: config.normBias ? get(`${name}.bias`, [h]) : undefined,
  });
  const layers: ModernBertLayer[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `layers.${i}`;
    layers.push({
      attentionNorm: i === 0 ? undefined : norm(`${p}.attn_norm`),
      qkv: linear(`${p}.attn.Wqkv`, 3 * h, h, config.attentionBias),
      attentionOutput: linear(`${p}.attn.Wo`, h, h, config.attentionBias),
      mlpNorm: norm(`${p}.mlp_norm`),
      mlpIn: linear(`${p}.mlp.Wi`, 2 * inter, h, config.mlpBias),
      mlpOut: linear(`${p}.mlp.Wo`, h, inter, config.mlpBias),
    });
  }
  return {
    wordEmbeddings: get('embeddings.tok_embeddings.weight', [config.vocabSize, h]),
    embeddingNorm: norm('embeddings.norm'),
    layers,
    finalNorm: norm('final_norm'),
  };
}
