/** Work done by the encoder, for GFLOP/s figures: 2 × multiply-adds of every MatMul, padding excluded. */
import type { Checkpoint } from 'colbert-web/node';
import { prepareTexts } from '../packages/colbert-web/src/model/colbert-prep.js';
import type { ColbertTokenizer } from '../packages/colbert-web/src/model/tokenizer.js';

export interface Work {
  flops: number;
  /** Model input tokens ([CLS], prefix, text, [SEP]). */
  tokens: number;
}

export function documentWork(checkpoint: Checkpoint, tokenizer: ColbertTokenizer, texts: readonly string[]): Work {
  const { config } = checkpoint.backbone;
  const h = config.hiddenSize;
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
      flops += 2 * (n * config.numLayers * (4 * h * h + 2 * h * config.intermediateSize) + config.numLayers * 2 * n * n * h + n * dense);
    }
  }
  return { flops, tokens };
}
