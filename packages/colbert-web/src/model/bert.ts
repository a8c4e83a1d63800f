import { ColbertError, ErrorCode } from '../errors.js';
import type { Int8Rows } from './int8-rows.js';
import type { Q4Matrix } from './q4-blocks.js';
import type { Tensor, TensorMap } from './safetensors.js';

/** The fields of a Hugging Face BERT config.json that change the computation. */
export interface BertConfig {
  readonly kind: 'bert';
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly intermediateSize: number;
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  readonly padTokenId: number;
}

export interface Linear {
  /** [out, in] row-major: y = x·Wᵀ + b (for int8 and 4-bit weights, dequantised when first read). */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** The weight's 4-bit blocks when the checkpoint stores them (`optimize-model --weights q4`): run as MatMulNBits. */
  readonly q4?: Q4Matrix;
  /**
   * The weight's int8 rows when the checkpoint stores them (`optimize-model --weights int8`): run as MatMulInteger
   * where the graph is built for a CPU backend (`EncoderGraphOptions.int8Compute`), else dequantised.
   */
  readonly int8?: Int8Rows;
}

/**
 * A Linear from its weight tensor and its other fields, the float32 weight read lazily (a getter, never spread) so
 * int8 and 4-bit weights are not widened, nor kept widened, unless something reads `weight`.
 *
 * @example
 * const query = linearWeight(tensors.get('…query.weight')!, { bias, inFeatures: 384, outFeatures: 384 });
 */
export function linearWeight<T extends object>(tensor: Tensor, fields: T): T & Pick<Linear, 'weight' | 'q4' | 'int8'> {
  if (!tensor.q4 && !tensor.int8) return { ...fields, weight: tensor.data };
  return {
    ...fields,
    ...(tensor.q4 ? { q4: tensor.q4 } : {}),
    ...(tensor.int8 ? { int8: tensor.int8 } : {}),
    get weight(): Float32Array {
      return tensor.data;
    },
  };
}

export interface Norm {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export interface BertLayer {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly attentionOutput: Linear;
  readonly attentionNorm: Norm;
  readonly intermediate: Linear;
  readonly output: Linear;
  readonly outputNorm: Norm;
}

export interface BertWeights {
  readonly wordEmbeddings: Float32Array;
  readonly positionEmbeddings: Float32Array;
  readonly tokenTypeEmbeddings: Float32Array;
  readonly embeddingNorm: Norm;
  readonly layers: readonly BertLayer[];
}

export interface BertBackbone {
  readonly kind: 'bert';
  readonly config: BertConfig;
  readonly weights: BertWeights;
}

const CONFIG = 'config.json';

export function readBertConfig(json: Record<string, unknown>): BertConfig {
  const int = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    if (!Number.isSafeInteger(v) || (v as number) < 0) {
      throw new ColbertError(ErrorCode.ModelFileCorrupt, `${CONFIG}: "${key}" must be a non-negative integer (got ${JSON.stringify(json[key])}).`, { subject: `${CONFIG}:${key}` });
    }
    return v as number;
  };
  const act = json['hidden_act'] ?? 'gelu';
  if (act !== 'gelu') {
    throw new ColbertError(ErrorCode.ModelUnsupported, `${CONFIG}: hidden_act "${String(act)}" is not supported; BERT PyLate models use exact (erf) "gelu".`, { subject: `${CONFIG}:hidden_act` });
  }
  const positionType = json['position_embedding_type'] ?? 'absolute';
  if (positionType !== 'absolute') {
    throw new ColbertError(ErrorCode.ModelUnsupported, `${CONFIG}: position_embedding_type "${String(positionType)}" is not supported (only "absolute").`, { subject: `${CONFIG}:position_embedding_type` });
  }
  const config: BertConfig = {
    kind: 'bert',
    vocabSize: int('vocab_size'),
    hiddenSize: int('hidden_size'),
    numLayers: int('num_hidden_layers'),
    numHeads: int('num_attention_heads'),
    intermediateSize: int('intermediate_size'),
    maxPositions: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    layerNormEps: typeof json['layer_norm_eps'] === 'number' ? (json['layer_norm_eps'] as number) : 1e-12,
    padTokenId: int('pad_token_id', 0),
  };
  if (config.numHeads === 0 || config.hiddenSize % config.numHeads !== 0) {
    throw new ColbertError(ErrorCode.ModelFileCorrupt, `${CONFIG}: hidden_size ${config.hiddenSize} is not divisible by num_attention_heads ${config.numHeads}.`, { subject: `${CONFIG}:num_attention_heads` });
  }
  return config;
}

/**
 * Picks the BERT tensors out of model.safetensors, with or without the `bert.` prefix, and checks every
 * shape against config.json.
 */
export function readBertWeights(config: BertConfig, tensors: TensorMap, file = 'model.safetensors'): BertWeights {
  const prefix = tensors.has('embeddings.word_embeddings.weight') ? '' : tensors.has('bert.embeddings.word_embeddings.weight') ? 'bert.' : undefined;
  if (prefix === undefined) {
    throw new ColbertError(ErrorCode.ModelFileCorrupt, `${file} has no embeddings.word_embeddings.weight (with or without the "bert." prefix); is this a BERT checkpoint?`, { subject: file });
  }
  const tensorOf = (name: string, shape: readonly number[]): Tensor => {
    const tensor: Tensor | undefined = tensors.get(prefix + name);
    if (!tensor) throw new ColbertError(ErrorCode.ModelFileCorrupt, `${file} has no tensor ${prefix}${name}.`, { subject: `${file}:${prefix}${name}` });
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new ColbertError(
        ErrorCode.ModelShapeMismatch,
        `${file}: ${prefix}${name} has shape [${tensor.shape.join(', ')}] but config.json implies [${shape.join(', ')}].`,
        { subject: `${file}:${prefix}${name}` },
      );
    }
    return tensor;
  };
  const get = (name: string, shape: readonly number[]): Float32Array => tensorOf(name, shape).data;
  const { hiddenSize: h, intermediateSize: inter } = config;
  const linear = (name: string, out: number, inp: number): Linear =>
    linearWeight(tensorOf(`${name}.weight`, [out, inp]), { bias: get(`${name}.bias`, [out]), inFeatures: inp, outFeatures: out });
  const norm = (name: string): Norm => ({ weight: get(`${name}.weight`, [h]), bias: get(`${name}.bias`, [h]) });
  const layers: BertLayer[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `encoder.layer.${i}`;
    layers.push({
      query: linear(`${p}.attention.self.query`, h, h),
      key: linear(`${p}.attention.self.key`, h, h),
      value: linear(`${p}.attention.self.value`, h, h),
      attentionOutput: linear(`${p}.attention.output.dense`, h, h),
      attentionNorm: norm(`${p}.attention.output.LayerNorm`),
      intermediate: linear(`${p}.intermediate.dense`, inter, h),
      output: linear(`${p}.output.dense`, h, inter),
      outputNorm: norm(`${p}.output.LayerNorm`),
    });
  }
  return {
    wordEmbeddings: get('embeddings.word_embeddings.weight', [config.vocabSize, h]),
    positionEmbeddings: get('embeddings.position_embeddings.weight', [config.maxPositions, h]),
    tokenTypeEmbeddings: get('embeddings.token_type_embeddings.weight', [config.typeVocabSize, h]),
    embeddingNorm: norm('embeddings.LayerNorm'),
    layers,
  };
}
