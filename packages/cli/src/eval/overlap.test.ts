import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { generatePreset, writeCheckpoint } from '@colbert-web/fixtures';
import { loadEncoderFrom } from 'colbert-web/node';
import { createOverlapRanker, loadTokenRules, OverlapIndex, queryPieceIds } from './overlap.js';
import type { TokenRules } from './overlap.js';

// The golden fixture's real uncased BERT tokenizer, query_length 32, document_length 180, punctuation skiplist.
const golden = fileURLToPath(new URL('../../../../../shared/fixtures/colbert-tiny-golden/checkpoint', import.meta.url));

let rules: TokenRules;
beforeAll(async () => {
  rules = await loadTokenRules(golden);
});

const score = (docs: string[], query: string, longDocuments: 'truncate' | 'split' = 'truncate'): number[] =>
  Array.from(new OverlapIndex(rules, docs.map((text, i) => ({ id: `d${i}`, text })), { longDocuments }).score(query));

describe('word-piece overlap (hand-computed)', () => {
  test('query rows: the prefix, text pieces and [MASK] expansion, without the template [CLS]/[SEP]', () => {
    const ids = queryPieceIds(rules, 'heart attack');
    const heart = rules.tokenizer.tokenToId('heart')!;
    const attack = rules.tokenizer.tokenToId('attack')!;
    expect(Array.from(ids.slice(0, 3))).toEqual([rules.tokenizer.queryPrefixIds[0], heart, attack]);
    expect(ids.length).toBe(32 - 2);
    expect(Array.from(ids.slice(3)).every((id) => id === rules.tokenizer.maskId)).toBe(true);
  });

  test('counts query pieces present in the document, not the prefix or expansion rows', () => {
    expect(score(['The heart attack risk.', 'A heart.', 'Nothing here.'], 'heart attack')).toEqual([2, 1, 0]);
  });

  test('a repeated query piece counts per occurrence; a repeated document piece once', () => {
    expect(score(['heart'], 'heart heart')).toEqual([2]);
    expect(score(['heart heart heart'], 'heart')).toEqual([1]);
  });

  test('word pieces, not words: "unbelievably" shares its pieces', () => {
    const pieces = rules.tokenizer.tokenize('unbelievably').tokens.slice(1, -1);
    expect(pieces.length).toBeGreaterThan(1);
    expect(score(['unbelievably'], 'unbelievably')).toEqual([pieces.length]);
  });

  test('query punctuation never counts: documents drop skiplist rows', () => {
    expect(score(['heart?'], 'heart?')).toEqual([1]);
  });

  test('documents are truncated at document_length (180 with [CLS], prefix, [SEP]); split keeps every piece', () => {
    const long = `${'alpha '.repeat(177)}zebra`;
    expect(score([long], 'zebra')).toEqual([0]);
    expect(score([`${'alpha '.repeat(176)}zebra`], 'zebra')).toEqual([1]);
    expect(score([long], 'zebra', 'split')).toEqual([1]);
  });

  test('queries are truncated at query_length (29 text pieces)', () => {
    expect(score(['zebra'], `${'alpha '.repeat(29)}zebra`)).toEqual([0]);
    expect(score(['zebra'], `${'alpha '.repeat(28)}zebra`)).toEqual([1]);
  });

  test('the ranker keeps corpus order on ties', async () => {
    const docs = ['heart', 'lung', 'heart lung', 'heart'].map((text, i) => ({ id: `d${i}`, text }));
    const run = await createOverlapRanker(rules, docs, { topK: 3 })([{ id: 'q', text: 'heart lung' }]);
    expect(run.get('q')).toEqual([
      { docId: 'd2', score: 2 },
      { docId: 'd0', score: 1 },
      { docId: 'd1', score: 1 },
    ]);
  });
});

describe('the lexical fixture model under MaxSim = 2 + overlap + noise', () => {
  test('on SciFact-like texts, MaxSim − 2 − overlap lies in [0, 0.4 · unmatched query word pieces)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colbert-lexical-'));
    await writeCheckpoint(dir, generatePreset('lexical'));
    const lexical = await loadTokenRules(dir);
    const encoder = await loadEncoderFrom(dir, { threads: 1 });
    try {
      const docs = [
        'Microstructural development of human newborn cerebral white matter assessed in vivo by diffusion tensor MRI.',
        'Heart attack risk rises with blood pressure; aspirin lowers it.',
        'The cat sat on the mat.',
        'Tumour cells and T cells: IL-6 signalling in cancer.',
      ];
      const queries = ['white matter diffusion in newborns', 'aspirin lowers heart attack risk?', 'IL-6 cancer cells cells'];
      const encoded = await encoder.encode([...docs.map((text) => ({ text, kind: 'document' as const })), ...queries.map((text) => ({ text, kind: 'query' as const }))]);
      const index = new OverlapIndex(lexical, docs.map((text, i) => ({ id: `d${i}`, text })));
      for (const [qi, query] of queries.entries()) {
        const q = encoded[docs.length + qi]!;
        const overlap = index.score(query);
        const pieces = queryPieceIds(lexical, query);
        docs.forEach((_, di) => {
          const d = encoded[di]!;
          let maxSim = 0;
          for (let r = 0; r < q.rows; r++) {
            let best = -Infinity;
            for (let s = 0; s < d.rows; s++) {
              let dot = 0;
              for (let c = 0; c < q.dim; c++) dot += q.vectors[r * q.dim + c]! * d.vectors[s * d.dim + c]!;
              best = Math.max(best, dot);
            }
            maxSim += best;
          }
          const docIds = new Set(d.ids);
          const unmatchedWordPieces = Array.from(pieces).filter((id) => !docIds.has(id) && id !== lexical.tokenizer.maskId && id !== lexical.tokenizer.queryPrefixIds[0]).length;
          const noise = maxSim - 2 - overlap[di]!;
          expect(noise).toBeGreaterThan(-1e-3);
          // Each unmatched word piece adds a max of random dot products (σ ≈ 1/√120): well under 0.4 here.
          expect(noise).toBeLessThan(0.4 * unmatchedWordPieces + 1e-3);
        });
      }
    } finally {
      await encoder.close();
    }
  });
});
