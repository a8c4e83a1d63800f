import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { ColbertError } from '../errors.js';
import type { ReferenceEntry } from '../testing/golden-reference.js';
import type { Checkpoint } from './checkpoint.js';
import { loadCheckpoint } from './checkpoint.js';
import { folderFiles } from './files/folder-files.js';
import { erf, gelu, referenceEncode } from './reference-f64.js';

// The repository sits next to `shared/` (../shared from the repo root), in CI as here.
const golden = fileURLToPath(new URL('../../../../../shared/fixtures/colbert-tiny-golden/', import.meta.url));

let checkpoint: Checkpoint;
let entries: ReferenceEntry[];
let expected: Float32Array;

beforeAll(async () => {
  checkpoint = await loadCheckpoint(folderFiles(`${golden}checkpoint`));
  entries = (JSON.parse(await readFile(`${golden}reference/reference.json`, 'utf8')) as { entries: ReferenceEntry[] }).entries;
  const bin = await readFile(`${golden}reference/reference.bin`);
  // Copy so the view is 4-byte aligned whatever offset Node's buffer pool used.
  expected = new Float32Array(new Uint8Array(bin).buffer);
});

/** §3/§4.2: queries attend to their first n_tokens rows only; a document encoded alone attends to all. */
function maskFor(entry: ReferenceEntry): Uint8Array {
  const mask = new Uint8Array(entry.token_ids.length);
  mask.fill(1, 0, entry.mode === 'query' ? entry.n_tokens : entry.token_ids.length);
  return mask;
}

describe('referenceEncode on colbert-tiny-golden', () => {
  test('all 80 entries match reference.bin within 1e-5', () => {
    expect(entries).toHaveLength(80);
    let maxDelta = 0;
    let worst = '';
    for (const entry of entries) {
      const [rows, dim] = entry.shape;
      expect(entry.token_ids).toHaveLength(rows);
      const actual = referenceEncode(checkpoint, Int32Array.from(entry.token_ids), maskFor(entry));
      expect(actual).toHaveLength(rows * dim);
      for (let i = 0; i < rows * dim; i++) {
        const delta = Math.abs(actual[i]! - expected[entry.offset + i]!);
        if (!(delta <= maxDelta)) {
          maxDelta = delta;
          worst = `${entry.id} (${entry.mode}) row ${Math.floor(i / dim)}`;
        }
      }
    }
    console.info(`float64 reference vs reference.bin: max |Δ| = ${maxDelta.toExponential(2)} at ${worst}`);
    expect(maxDelta).toBeLessThanOrEqual(1e-5);
  });

  test('every row, expansion rows included, has unit norm', () => {
    const query = entries.find((e) => e.mode === 'query' && e.n_tokens < e.token_ids.length)!;
    const out = referenceEncode(checkpoint, Int32Array.from(query.token_ids), maskFor(query));
    for (let r = 0; r < query.shape[0]; r++) {
      let sum = 0;
      for (let i = 0; i < checkpoint.dim; i++) sum += out[r * checkpoint.dim + i]! ** 2;
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  test('attending to expansion tokens changes the query rows (the mask is honoured)', () => {
    const query = entries.find((e) => e.mode === 'query' && e.n_tokens < e.token_ids.length)!;
    const ids = Int32Array.from(query.token_ids);
    const masked = referenceEncode(checkpoint, ids, maskFor(query));
    const open = referenceEncode(checkpoint, ids, new Uint8Array(ids.length).fill(1));
    let diff = 0;
    for (let i = 0; i < masked.length; i++) diff = Math.max(diff, Math.abs(masked[i]! - open[i]!));
    expect(diff).toBeGreaterThan(1e-3);
  });

  test('rejects inputs it cannot encode, naming the field', () => {
    expect(() => referenceEncode(checkpoint, Int32Array.of(101, 102), Uint8Array.of(1))).toThrow(ColbertError);
    expect(() => referenceEncode(checkpoint, Int32Array.of(101, 30522), Uint8Array.of(1, 1))).toThrow(/ids\[1\]/);
    expect(() => referenceEncode(checkpoint, new Int32Array(513).fill(101), new Uint8Array(513).fill(1))).toThrow(/positions/);
  });
});

describe('erf / gelu', () => {
  test('known values', () => {
    // Values from an independent double-precision erf (CPython math.erf).
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.520499877813047, 14);
    expect(erf(1)).toBeCloseTo(0.842700792949715, 14);
    expect(erf(-2)).toBeCloseTo(-0.995322265018953, 14);
    expect(erf(3)).toBeCloseTo(0.999977909503001, 14);
    expect(erf(10)).toBe(1);
    expect(gelu(1)).toBeCloseTo(0.841344746068543, 14);
    expect(gelu(-3)).toBeCloseTo(-0.00404969409489031, 14);
  });
});
