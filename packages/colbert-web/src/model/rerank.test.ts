import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../errors.js';
import { SHARED_FIXTURES, readFixtureJson, readFloats } from '../testing/golden-fixture.js';
import { expectedRows } from '../testing/golden-reference.js';
import type { ReferenceEntry, ReferenceFile } from '../testing/golden-reference.js';
import type { Encoder } from './encoder.js';
import { folderFiles } from './files/folder-files.js';
import { loadEncoder } from './load-model.js';

let encoder: Encoder | undefined;
let reference: ReferenceFile;
let bin: Float32Array;
const rerank: Encoder['rerank'] = (...args) => encoder!.rerank(...args);

beforeAll(async () => {
  [encoder, reference, bin] = await Promise.all([
    loadEncoder(folderFiles(`${SHARED_FIXTURES}colbert-tiny-golden/checkpoint`), { threads: 1 }),
    readFixtureJson('colbert-tiny-golden', 'reference/reference.json') as Promise<ReferenceFile>,
    readFloats(`${SHARED_FIXTURES}colbert-tiny-golden/reference/reference.bin`),
  ]);
});

afterAll(() => encoder?.close());

/** MaxSim from PyLate's own rows (float64), with each query row's best document row: the oracle. */
function pylateMaxSim(query: ReferenceEntry, document: ReferenceEntry): { score: number; best: number[] } {
  const q = expectedRows(query, bin).vectors;
  const d = expectedRows(document, bin).vectors;
  let score = 0;
  const best = q.map((row) => {
    let top = -Infinity;
    let at = -1;
    d.forEach((col, j) => {
      let dot = 0;
      for (let i = 0; i < row.length; i++) dot += row[i]! * col[i]!;
      if (dot > top) [top, at] = [dot, j];
    });
    score += top;
    return at;
  });
  return { score, best };
}

describe('encoder.rerank (candidates in no index)', () => {
  test('scores equal MaxSim over PyLate’s reference rows, in MaxSim order, with each query token’s best row', async () => {
    const queries = reference.entries.filter((e) => e.mode === 'query').slice(0, 3);
    const documents = reference.entries.filter((e) => e.mode === 'document' && e.n_tokens < 150).slice(0, 12);
    for (const query of queries) {
      const expected = documents.map((d, i) => ({ id: `c${i}`, ...pylateMaxSim(query, d) }));
      const hits = await rerank(query.text, documents.map((d, i) => ({ id: `c${i}`, text: d.text, metadata: { i } })));
      expect(hits).toHaveLength(documents.length);
      for (const hit of hits) {
        const want = expected.find((e) => e.id === hit.id)!;
        expect(Math.abs(hit.score - want.score), hit.id).toBeLessThan(1e-4);
        expect(hit.text).toBe(documents[Number(hit.id.slice(1))]!.text);
        expect(hit.metadata).toEqual({ i: Number(hit.id.slice(1)) });
        expect(hit.matches).toHaveLength(query.shape[0]);
        // Each query row's match is PyLate's best row of the candidate; its span is that token's text (-1 for the
        // [CLS], prefix and [SEP] rows, which are not in the text).
        const document = documents[Number(hit.id.slice(1))]!;
        const skip = new Set(document.skiplist_rows ?? []);
        const keptTokens = document.tokens.filter((_, r) => !skip.has(r));
        hit.matches!.forEach((m, q) => {
          expect(m.documentToken, `${hit.id} q${q}`).toBe(keptTokens[want.best[q]!]);
          if (m.start < 0) expect(['[CLS]', '[SEP]', '[unused1]']).toContain(m.documentToken);
          // Uncased BERT lowercases and strips accents.
          else if (m.documentToken !== '[UNK]') expect(hit.text!.slice(m.start, m.end).toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')).toBe(m.documentToken.replace(/^##/, ''));
        });
      }
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      // Query token kinds: [CLS] and the prefix are special, [MASK] rows are expansion.
      expect(hits[0]!.matches![0]!.queryKind).toBe('special');
      expect(hits[0]!.matches!.at(-1)!.queryKind).toBe(query.tokens.at(-1) === '[MASK]' ? 'expansion' : 'special');
    }
  });

  test('k cuts the list; equal scores keep the candidates’ order', async () => {
    const text = 'aspirin lowers the risk of heart attack';
    const hits = await rerank('heart attack', [
      { id: 'x', text },
      { id: 'y', text: 'sourdough rises thanks to wild yeast' },
      { id: 'z', text },
    ]);
    expect(hits.map((h) => h.id).filter((id) => id !== 'y')).toEqual(['x', 'z']);
    expect(hits.find((h) => h.id === 'x')!.score).toBe(hits.find((h) => h.id === 'z')!.score);
    expect(await rerank('heart attack', [{ id: 'x', text }, { id: 'y', text: 'yeast' }], { k: 1 })).toHaveLength(1);
    expect(await rerank('heart attack', [])).toEqual([]);
  });

  test.each([
    ['an empty query', () => rerank(' ', [{ id: 'a', text: 'x' }]), 'query'],
    ['a repeated id', () => rerank('q', [{ id: 'a', text: 'x' }, { id: 'b', text: 'y' }, { id: 'a', text: 'z' }]), 'candidates[2].id'],
    ['a missing text', () => rerank('q', [{ id: 'a' } as unknown as { id: string; text: string }]), 'candidates[0].text'],
    ['a bad k', () => rerank('q', [{ id: 'a', text: 'x' }], { k: -1 }), 'k'],
    ['candidates that are not an array', () => rerank('q', 'a' as unknown as []), 'candidates'],
  ])('%s is INVALID_INPUT naming the field', async (_name, run, subject) => {
    await expect(run()).rejects.toMatchObject({ code: ErrorCode.InvalidInput, subject });
  });
});
