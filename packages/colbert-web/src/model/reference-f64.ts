/**
 * A slow, plain float64 implementation of the encoder (fixtures README §4.3–§4.4 for BERT, §6.3 for ModernBERT):
 * the test oracle for the real encoder and for generated fixtures. It favours being obviously right over being fast: one loop per
 * formula, no fusion, no reuse of buffers.
 */
import { ColbertError, ErrorCode } from '../errors.js';
import type { BertBackbone, Linear, Norm } from './bert.js';
import type { Backbone, LoadedCheckpoint } from './checkpoint.js';
import { isExportCheckpoint } from './checkpoint.js';
import type { DenseActivation, DenseLayer } from './dense.js';
import type { ModernBertBackbone, OptionalBiasNorm } from './modernbert.js';

/**
 * Encodes one sequence in float64: backbone, every Dense module in order (bias and activation included),
 * then L2 normalisation of every row (no epsilon, as the reference). Returns `[ids.length, checkpoint.dim]`
 * row-major; every position gets a row, expansion and padding positions included. It needs the backbone's weights:
 * a checkpoint loaded with an ONNX export (`weights: 'onnx…'`) is rejected.
 *
 * @example
 * const checkpoint = await loadCheckpoint(folderFiles('colbert-tiny-golden/checkpoint'));
 * const rows = referenceEncode(checkpoint, Int32Array.from(entry.token_ids), mask); // [L, 96]
 */
export function referenceEncode(checkpoint: LoadedCheckpoint, ids: Int32Array, attentionMask: Uint8Array): Float64Array {
  if (isExportCheckpoint(checkpoint)) {
    throw new ColbertError(ErrorCode.ModelUnsupported, `The float64 reference needs the backbone's weights; this checkpoint runs ${checkpoint.onnxExport.file}. Load it with weights: 'safetensors'.`);
  }
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
    case 'modernbert':
      return modernBertHidden(backbone, ids, attentionMask);
    default: {
      const unsupported: never = backbone;
      throw new ColbertError(ErrorCode.ModelUnsupported, `The float64 reference has no implementation for backbone "${String((unsupported as Backbone).kind)}".`);
    }
  }
}

/** Rejects ids longer than the model's positions or outside its vocabulary, naming the offending one. */
function checkIds(ids: Int32Array, config: { readonly maxPositions: number; readonly vocabSize: number }): void {
  if (ids.length > config.maxPositions) {
    throw new ColbertError(ErrorCode.InvalidInput, `ids has ${ids.length} tokens but the model has only ${config.maxPositions} positions (max_position_embeddings).`, { subject: 'ids' });
  }
  ids.forEach((id, t) => {
    if (id < 0 || id >= config.vocabSize) {
      throw new ColbertError(ErrorCode.InvalidInput, `ids[${t}] = ${id} is outside the vocabulary [0, ${config.vocabSize}).`, { subject: 'ids' });
    }
  });
}

/** Post-LN BERT (§4.3): embeddings + LayerNorm, then per layer attention → residual → LN → GELU FFN → residual → LN. */
function bertHidden({ config, weights }: BertBackbone, ids: Int32Array, mask: Uint8Array): Float64Array {
  const rows = ids.length;
  const h = config.hiddenSize;
  checkIds(ids, config);
  const x = new Float64Array(rows * h);
  for (let t = 0; t < rows; t++) {
    const id = ids[t]!;
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
 * ModernBERT (§6.3): token embeddings + LayerNorm, then per layer (pre-norm) attention with rotary Q/K —
 * global, or local with a window of ±floor(local_attention/2) — and a GeGLU MLP, each added to the residual;
 * then the final LayerNorm. Rotary angles are float64 here (the reference rounds them to float32).
 */
function modernBertHidden({ config, weights }: ModernBertBackbone, ids: Int32Array, mask: Uint8Array): Float64Array {
  const rows = ids.length;
  const h = config.hiddenSize;
  const headDim = h / config.numHeads;
  const inter = config.intermediateSize;
  checkIds(ids, config);
  const x = new Float64Array(rows * h);
  for (let t = 0; t < rows; t++) {
    const id = ids[t]!;
    for (let i = 0; i < h; i++) x[t * h + i] = weights.wordEmbeddings[id * h + i]!;
  }
  let hidden = layerNorm(x, rows, h, weights.embeddingNorm, config.normEps);
  weights.layers.forEach((layer, index) => {
    const isGlobal = config.layerIsGlobal[index]!;
    const normed = layer.attentionNorm ? layerNorm(hidden, rows, h, layer.attentionNorm, config.normEps) : hidden;
    const qkv = affine(normed, rows, h, 3 * h, layer.qkv.weight, layer.qkv.bias);
    const [q, k, v] = [0, 1, 2].map((part) => {
      const out = new Float64Array(rows * h);
      for (let t = 0; t < rows; t++) out.set(qkv.subarray(t * 3 * h + part * h, t * 3 * h + (part + 1) * h), t * h);
      return out;
    }) as [Float64Array, Float64Array, Float64Array];
    const base = isGlobal ? config.globalRopeTheta : config.localRopeTheta;
    rotate(q, rows, config.numHeads, headDim, base);
    rotate(k, rows, config.numHeads, headDim, base);
    const window = isGlobal ? Infinity : Math.floor(config.localAttention / 2);
    const context = attention(q, k, v, mask, rows, config.numHeads, headDim, window);
    addInPlace(hidden, affine(context, rows, h, h, layer.attentionOutput.weight, layer.attentionOutput.bias));
    const inner = affine(layerNorm(hidden, rows, h, layer.mlpNorm, config.normEps), rows, h, 2 * inter, layer.mlpIn.weight, layer.mlpIn.bias);
    const gated = new Float64Array(rows * inter);
    for (let t = 0; t < rows; t++) {
      for (let j = 0; j < inter; j++) gated[t * inter + j] = gelu(inner[t * 2 * inter + j]!) * inner[t * 2 * inter + inter + j]!;
    }
    addInPlace(hidden, affine(gated, rows, inter, h, layer.mlpOut.weight, layer.mlpOut.bias));
  });
  return layerNorm(hidden, rows, h, weights.finalNorm, config.normEps);
}

/**
 * Rotary embedding in place, rotate-half layout: in each head, the pair (x[k], x[k + d/2]) at position t is
 * rotated by t·θ_k, θ_k = base^(−2k/d).
 */
function rotate(x: Float64Array, rows: number, heads: number, headDim: number, base: number): void {
  const half = headDim / 2;
  const width = heads * headDim;
  for (let t = 0; t < rows; t++) {
    for (let k = 0; k < half; k++) {
      const angle = t * base ** ((-2 * k) / headDim);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      for (let head = 0; head < heads; head++) {
        const o = t * width + head * headDim + k;
        const [a, b] = [x[o]!, x[o + half]!];
        x[o] = a * c - b * s;
        x[o + half] = b * c + a * s;
      }
    }
  }
}

/**
 * Multi-head scaled dot-product attention over `rows` positions; query t sees keys j with |t − j| ≤ `window`
 * (Infinity: every key). Keys with mask 0 get zero weight, exactly as adding f32 min does in the reference. If
 * no key the query sees is attended, the reference's scores there are all f32 min, so its softmax is uniform
 * over the keys it sees; we reproduce that rather than divide by zero.
 */
function attention(q: Float64Array, k: Float64Array, v: Float64Array, mask: Uint8Array, rows: number, heads: number, headDim: number, window = Infinity): Float64Array {
  const width = heads * headDim;
  const out = new Float64Array(rows * width);
  const scale = 1 / Math.sqrt(headDim);
  const weight = new Float64Array(rows);
  for (let head = 0; head < heads; head++) {
    const base = head * headDim;
    for (let t = 0; t < rows; t++) {
      const from = Math.max(0, t - window);
      const to = Math.min(rows - 1, t + window);
      let anyAttended = false;
      for (let j = from; j <= to; j++) anyAttended ||= mask[j] !== 0;
      let max = -Infinity;
      for (let j = from; j <= to; j++) {
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
      for (let j = from; j <= to; j++) {
        weight[j] = Math.exp(weight[j]! - max);
        sum += weight[j]!;
      }
      for (let j = from; j <= to; j++) {
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

function layerNorm(x: Float64Array, rows: number, width: number, norm: Norm | OptionalBiasNorm, eps: number): Float64Array {
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
    for (let i = 0; i < width; i++) y[o + i] = (x[o + i]! - mean) * inv * norm.weight[i]! + (norm.bias?.[i] ?? 0);
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
