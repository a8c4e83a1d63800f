/**
 * Work done by the encoder, for GFLOP/s figures: 2 × multiply-adds of every MatMul, padding excluded.
 * Per layer and token: BERT Q/K/V/output 4H² and FFN 2·H·I; ModernBERT Wqkv 3H², Wo H² and GeGLU 3·H·I (Wi is
 * 2I×H, Wo H×I). Attention (Q·Kᵀ and P·V) is 2·n·H per query over the keys it sees: all n in BERT and in
 * ModernBERT's global layers, min(n, 2·⌊local_attention/2⌋ + 1) in its local layers (the useful work, not the
 * banded implementation's padding).
 */
import type { LoadedCheckpoint } from 'colbert-web/node';
import { prepareTexts } from '../packages/colbert-web/src/model/colbert-prep.js';
import type { ColbertTokenizer } from '../packages/colbert-web/src/model/tokenizer.js';

export interface Work {
  flops: number;
  /** Model input tokens ([CLS], prefix, text, [SEP]). */
  tokens: number;
}

export function documentWork(checkpoint: LoadedCheckpoint, tokenizer: ColbertTokenizer, texts: readonly string[]): Work {
  const { backbone } = checkpoint;
  const { config } = backbone;
  const h = config.hiddenSize;
  const mlp = backbone.kind === 'modernbert' ? 3 * h * config.intermediateSize : 2 * h * config.intermediateSize;
  /** Keys each query attends to in layer i of an n-token sequence. */
  const keys = (n: number, i: number): number =>
    backbone.kind === 'modernbert' && !backbone.config.layerIsGlobal[i] ? Math.min(n, 2 * Math.floor(backbone.config.localAttention / 2) + 1) : n;
  let dense = 0;
  let width = h;
  for (const d of checkpoint.dense) {
    dense += width * d.outFeatures;
    width = d.outFeatures;
  }
  let flops = 0;
  let tokens = 0;
  for (const p of prepareTexts(tokenizer, checkpoint.settings, texts.map((text) => ({ text, kind: 'document' as const })))) {
    for (const s of p.sequences) {
      const n = s.ids.length;
      tokens += n;
      let attention = 0;
      for (let i = 0; i < config.numLayers; i++) attention += 2 * n * keys(n, i) * h;
      flops += 2 * (n * config.numLayers * (4 * h * h + mlp) + attention + n * dense);
    }
  }
  return { flops, tokens };
}
