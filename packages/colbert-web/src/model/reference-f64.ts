/**
 * A slow, plain float64 implementation of the encoder (fixtures README §4.3–§4.4): the test oracle for the
 * real encoder and for generated fixtures. It favours being obviously right over being fast: one loop per
 * formula, no fusion, no reuse of buffers.
 */
import { ColbertError, ErrorCode } from '../errors.js';
import type { BertBackbone, Linear, Norm } from './bert.js';
import type { Backbone, Checkpoint } from './checkpoint.js';
import type { DenseActivation, DenseLayer } from './dense.js';

/**
 * Encodes one sequence in float64: backbone, every Dense module in order (bias and activation included),
 * then L2 normalisation of every row (no epsilon, as the reference). Returns `[ids.length, checkpoint.dim]`
 * row-major; every position gets a row, expansion and padding positions included.
 *
 * @example
 * const checkpoint = await loadCheckpoint(folderFiles('colbert-tiny-golden/checkpoint'));
 * const rows = referenceEncode(checkpoint, Int32Array.from(entry.token_ids), mask); // [L, 96]
 */
export function referenceEncode(checkpoint: Checkpoint, ids: Int32Array, attentionMask: Uint8Array): Float64Array {
  const rows = ids.length;
  let x = referenceHidden(checkpoint.backbone, ids, attentionMask);
  for (const layer of checkpoint.dense) x = referenceDense(layer, x, rows);
  normalizeRows(x, rows, checkpoint.dim);
  return x;
}

/**
 * The backbone's last hidden state, `[ids.length, hiddenSize]` in float64, before any Dense module.
 * Dispatches on `backbone.kind`; a new architecture (ModernBERT) is one more case and one more function.
 */
export function referenceHidden(backbone: Backbone, ids: Int32Array, attentionMask: Uint8Array): Float64Array {
  if (attentionMask.length !== ids.length) {
    throw new ColbertError(ErrorCode.InvalidInput, `attentionMask has ${attentionMask.length} entries but ids has ${ids.length}; they must be the same length.`, { subject: 'attentionMask' });
  }
  if (ids.length === 0) throw new ColbertError(ErrorCode.InvalidInput, 'ids is empty; a sequence has at least [CLS] and [SEP].', { subject: 'ids' });
  switch (backbone.kind) {
    case 'bert':
      return bertHidden(backbone, ids, attentionMask);
    default: {
      const unsupported: never = backbone.kind;
      throw new ColbertError(ErrorCode.ModelUnsupported, `The float64 reference has no implementation for backbone "${String(unsupported)}".`);
    }
  }
}

/** Post-LN BERT (§4.3): embeddings + LayerNorm, then per layer attention → residual → LN → GELU FFN → residual → LN. */
function bertHidden({ config, weights }: BertBackbone, ids: Int32Array, mask: Uint8Array): Float64Array {
  const rows = ids.length;
  const h = config.hiddenSize;
  if (rows > config.maxPositions) {
    throw new ColbertError(ErrorCode.InvalidInput, `ids has ${rows} tokens but the model has only ${config.maxPositions} positions (max_position_embeddings).`, { subject: 'ids' });
  }
  const x = new Float64Array(rows * h);
  for (let t = 0; t < rows; t++) {
    const id = ids[t]!;
    if (id < 0 || id >= config.vocabSize) {
      throw new ColbertError(ErrorCode.InvalidInput, `ids[${t}] = ${id} is outside the vocabulary [0, ${config.vocabSize}).`, { subject: 'ids' });
    }
    for (let i = 0; i < h; i++) {
      // Token type is always 0 (§4.2: all type ids are 0).
      x[t * h + i] = weights.wordEmbeddings[id * h + i]! + weights.positionEmbeddings[t * h + i]! + weights.tokenTypeEmbeddings[i]!;
    }
  }
  let hidden = layerNorm(x, rows, h, weights.embeddingNorm, config.layerNormEps);
  for (const layer of weights.layers) {
    const q = linear(hidden, rows, layer.query);
    const k = linear(hidden, rows, layer.key);
    const v = linear(hidden, rows, layer.value);
    const context = attention(q, k, v, mask, rows, config.numHeads, h / config.numHeads);
    const attended = linear(context, rows, layer.attentionOutput);
    addInPlace(attended, hidden);
    hidden = layerNorm(attended, rows, h, layer.attentionNorm, config.layerNormEps);
    const inner = linear(hidden, rows, layer.intermediate);
    for (let i = 0; i < inner.length; i++) inner[i] = gelu(inner[i]!);
    const out = linear(inner, rows, layer.output);
    addInPlace(out, hidden);
    hidden = layerNorm(out, rows, h, layer.outputNorm, config.layerNormEps);
  }
  return hidden;
}

/**
 * Multi-head scaled dot-product attention over `rows` positions. Keys with mask 0 get zero weight, exactly as
 * adding f32 min does in the reference. If no key is attended at all, the reference's scores are all f32 min,
 * so its softmax is uniform over every key; we reproduce that rather than divide by zero.
 */
function attention(q: Float64Array, k: Float64Array, v: Float64Array, mask: Uint8Array, rows: number, heads: number, headDim: number): Float64Array {
  const width = heads * headDim;
  const out = new Float64Array(rows * width);
  const scale = 1 / Math.sqrt(headDim);
  const anyAttended = mask.some((m) => m !== 0);
  const weight = new Float64Array(rows);
  for (let head = 0; head < heads; head++) {
    const base = head * headDim;
    for (let t = 0; t < rows; t++) {
      let max = -Infinity;
      for (let j = 0; j < rows; j++) {
        if (anyAttended && mask[j] === 0) {
          weight[j] = -Infinity;
          continue;
        }
        let score = 0;
        for (let i = 0; i < headDim; i++) score += q[t * width + base + i]! * k[j * width + base + i]!;
        weight[j] = anyAttended ? score * scale : 0;
        if (weight[j]! > max) max = weight[j]!;
      }
      let sum = 0;
      for (let j = 0; j < rows; j++) {
        weight[j] = Math.exp(weight[j]! - max);
        sum += weight[j]!;
      }
      for (let j = 0; j < rows; j++) {
        const p = weight[j]! / sum;
        if (p === 0) continue;
        for (let i = 0; i < headDim; i++) out[t * width + base + i]! += p * v[j * width + base + i]!;
      }
    }
  }
  return out;
}

/** One PyLate Dense module: activation(x·Wᵀ + b). */
function referenceDense(layer: DenseLayer, x: Float64Array, rows: number): Float64Array {
  const y = affine(x, rows, layer.inFeatures, layer.outFeatures, layer.weight, layer.bias);
  const f = ACTIVATIONS[layer.activation];
  for (let i = 0; i < y.length; i++) y[i] = f(y[i]!);
  return y;
}

const ACTIVATIONS: Record<DenseActivation, (x: number) => number> = {
  identity: (x) => x,
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : 0),
  gelu: (x) => gelu(x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

function linear(x: Float64Array, rows: number, layer: Linear): Float64Array {
  return affine(x, rows, layer.inFeatures, layer.outFeatures, layer.weight, layer.bias);
}

/** y = x·Wᵀ + b with W stored [out, in] row-major. */
function affine(x: Float64Array, rows: number, inFeatures: number, outFeatures: number, weight: Float32Array, bias: Float32Array | undefined): Float64Array {
  const y = new Float64Array(rows * outFeatures);
  for (let t = 0; t < rows; t++) {
    const xo = t * inFeatures;
    for (let o = 0; o < outFeatures; o++) {
      const wo = o * inFeatures;
      let sum = bias === undefined ? 0 : bias[o]!;
      for (let i = 0; i < inFeatures; i++) sum += x[xo + i]! * weight[wo + i]!;
      y[t * outFeatures + o] = sum;
    }
  }
  return y;
}

function layerNorm(x: Float64Array, rows: number, width: number, norm: Norm, eps: number): Float64Array {
  const y = new Float64Array(rows * width);
  for (let t = 0; t < rows; t++) {
    const o = t * width;
    let mean = 0;
    for (let i = 0; i < width; i++) mean += x[o + i]!;
    mean /= width;
    let variance = 0;
    for (let i = 0; i < width; i++) variance += (x[o + i]! - mean) ** 2;
    variance /= width;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < width; i++) y[o + i] = (x[o + i]! - mean) * inv * norm.weight[i]! + norm.bias[i]!;
  }
  return y;
}

function addInPlace(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}

/** Divides each row by its L2 norm, with no epsilon (an all-zero row becomes NaN, as in the reference). */
function normalizeRows(x: Float64Array, rows: number, width: number): void {
  for (let t = 0; t < rows; t++) {
    let sum = 0;
    for (let i = 0; i < width; i++) sum += x[t * width + i]! ** 2;
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < width; i++) x[t * width + i]! *= inv;
  }
}

/**
 * Exact GELU: x·Φ(x) = x/2·(1 + erf(x/√2)), as torch's default `GELU()` and BERT's `hidden_act: "gelu"`.
 *
 * @example
 * gelu(1); // 0.8413447460685429
 */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function to about 1e-15 absolute: the Maclaurin series for |x| < 2.5 (terms stay below ~100, so
 * cancellation costs at most two digits), the continued fraction of erfc beyond, and ±1 past 6.
 *
 * @example
 * erf(1); // 0.8427007929497149
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (Number.isNaN(x)) return NaN;
  if (ax < 2.5) {
    // erf(x) = 2/√π · Σ (-1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let power = x; // (-1)^n x^(2n+1) / n!
    let sum = x;
    for (let n = 1; n < 200; n++) {
      power *= -x2 / n;
      const term = power / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (ax >= 6) return Math.sign(x);
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail.
  let tail = 0;
  for (let k = 80; k >= 1; k--) tail = k / 2 / (ax + tail);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + tail);
  return Math.sign(x) * (1 - erfc);
}
