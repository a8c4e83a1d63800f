import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ColbertError, ErrorCode } from '../../errors.js';
import { SHARED_FIXTURES, readFloats } from '../../testing/golden-fixture.js';
import type { PooledFile } from '../../testing/golden-pooled.js';
import { pooledDiff } from '../../testing/golden-pooled.js';
import { prepareTexts } from '../colbert-prep.js';
import type { Encoder } from '../encoder.js';
import { folderFiles } from '../files/folder-files.js';
import { loadEncoder } from '../load-model.js';
import { rowMembers } from './pool-document.js';

let encoder: Encoder;
let texts: string[];
let pooled: PooledFile;
let pooledBin: Float32Array;

beforeAll(async () => {
  const golden = `${SHARED_FIXTURES}colbert-tiny-golden/`;
  encoder = await loadEncoder(folderFiles(`${golden}checkpoint`), { threads: 1 });
  texts = (JSON.parse(await readFile(`${golden}texts.json`, 'utf8')) as Array<{ text: string }>).map((t) => t.text);
  pooled = JSON.parse(await readFile(`${golden}pooled/pooled.json`, 'utf8')) as PooledFile;
  pooledBin = await readFloats(`${golden}pooled/pooled.bin`);
});

afterAll(async () => {
  await encoder.close();
});

describe('encode(documents, { poolFactor }) (Node, WASM)', () => {
  test.each([2, 3])('factor %i: every fixture document equals the golden pooled rows within 1e-5', async (factor) => {
    const encoded = await encoder.encode(texts.map((text) => ({ text, kind: 'document' as const })), { poolFactor: factor, longDocuments: 'truncate' });
    const entries = pooled.entries.filter((e) => e.pool_factor === factor);
    expect(entries).toHaveLength(texts.length);
    let worst = 0;
    for (const entry of entries) {
      const e = encoded[entry.text_index]!;
      expect(e.ids.length, entry.id).toBe(entry.input_rows);
      const diff = pooledDiff(e.vectors, e.rows, entry, pooledBin);
      expect(diff, entry.id).toBeLessThanOrEqual(1e-5);
      worst = Math.max(worst, diff);
      const members = rowMembers(e);
      expect(members[0]).toEqual([0]);
      expect(members.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: e.ids.length }, (_, i) => i));
    }
    console.info(`encode poolFactor ${factor}: ${entries.length} documents, max |Δ| ${worst.toExponential(2)}`);
  });

  test('a split document is pooled window by window; each row is the mean of its tokens', async () => {
    const text = Array.from({ length: 120 }, (_, i) => `word${i % 17} retrieval late interaction ${i}`).join(' ');
    const [plain] = await encoder.encode([{ text, kind: 'document' }], { longDocuments: 'split' });
    const [pooledDoc] = await encoder.encode([{ text, kind: 'document' }], { longDocuments: 'split', poolFactor: 2 });
    expect(plain!.tokenRows).toBeUndefined();
    expect(pooledDoc!.ids).toEqual(plain!.ids);
    expect(pooledDoc!.rows).toBeLessThan(plain!.rows * 0.6);
    const dim = plain!.dim;
    const members = rowMembers(pooledDoc!);
    expect(members[0]).toEqual([0]);
    members.forEach((tokens, row) => {
      expect(tokens.length, `row ${row}`).toBeGreaterThan(0);
      for (let c = 0; c < dim; c++) {
        const mean = tokens.reduce((s, t) => s + plain!.vectors[t * dim + c]!, 0) / tokens.length;
        expect(Math.abs(pooledDoc!.vectors[row * dim + c]! - mean)).toBeLessThan(1e-6);
      }
    });
    // No row mixes tokens of two windows, and the windows' rows come in window order.
    const [prepared] = prepareTexts(encoder.tokenizer, encoder.checkpoint.settings, [{ text, kind: 'document' }], { longDocuments: 'split' });
    const windowEnds = prepared!.sequences.map((s) => s.keepRows.length).map((_, w, all) => all.slice(0, w + 1).reduce((a, b) => a + b, 0));
    expect(windowEnds.length).toBeGreaterThan(1);
    const windowOf = (token: number): number => windowEnds.findIndex((end) => token < end);
    const rowWindows = members.map((tokens) => new Set(tokens.map(windowOf)));
    rowWindows.forEach((windows, row) => expect(windows.size, `row ${row}`).toBe(1));
    const order = rowWindows.map((w) => [...w][0]!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('rejects queries and bad factors with INVALID_INPUT', async () => {
    const error = await encoder.encode([{ text: 'a', kind: 'document' }, { text: 'q', kind: 'query' }], { poolFactor: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ColbertError);
    expect((error as ColbertError).code).toBe(ErrorCode.InvalidInput);
    expect((error as ColbertError).subject).toBe('inputs[1].kind');
    for (const bad of [0, 1.5, -2, Number.NaN]) {
      const e = await encoder.encode([{ text: 'a', kind: 'document' }], { poolFactor: bad }).catch((x: unknown) => x);
      expect((e as ColbertError).code, String(bad)).toBe(ErrorCode.InvalidInput);
      expect((e as ColbertError).subject).toBe('poolFactor');
    }
    const [query] = await encoder.encode([{ text: 'q', kind: 'query' }], { poolFactor: 1 });
    expect(query!.tokenRows).toBeUndefined();
  });
});
