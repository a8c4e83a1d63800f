/**
 * Loading the shared golden fixtures (../shared/fixtures/<name>) from disk for the Node tests: the checkpoint,
 * its tokenizer, the reference embeddings, and the float comparisons the graph tests make with them.
 * Test-only and Node-only (the browser harness uses golden-reference.ts): not part of the package build.
 */

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Checkpoint, TokenizerFiles } from '../model/checkpoint.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import type { ColbertSettings } from '../model/colbert-settings.js';
import { readColbertSettings } from '../model/colbert-settings.js';
import { folderFiles } from '../model/files/folder-files.js';
import type { ColbertTokenizer } from '../model/tokenizer.js';
import { createTokenizer } from '../model/tokenizer.js';
import type { ReferenceEntry, ReferenceFile } from './golden-reference.js';

// The repository sits next to `shared/` (../shared from the repo root), in CI as here.
export const SHARED_FIXTURES = fileURLToPath(new URL('../../../../../shared/fixtures/', import.meta.url));

/** Parses `<fixture>/<file>` as JSON. */
export async function readFixtureJson(name: string, file: string): Promise<unknown> {
  return JSON.parse(await readFile(`${SHARED_FIXTURES}${name}/${file}`, 'utf8')) as unknown;
}

/** A fixture's ColBERT settings and tokenizer, built from its checkpoint files, with the texts it encodes. */
export interface FixtureTokenizer {
  readonly settings: ColbertSettings;
  readonly files: TokenizerFiles;
  readonly tokenizer: ColbertTokenizer;
  readonly texts: string[];
}

export async function loadFixtureTokenizer(name: string): Promise<FixtureTokenizer> {
  const json = (file: string): Promise<unknown> => readFixtureJson(name, file);
  const settings = readColbertSettings((await json('checkpoint/config_sentence_transformers.json')) as Record<string, unknown>);
  const files = {
    tokenizerJson: await json('checkpoint/tokenizer.json'),
    tokenizerConfig: await json('checkpoint/tokenizer_config.json'),
    specialTokensMap: await json('checkpoint/special_tokens_map.json'),
  } as TokenizerFiles;
  const texts = ((await json('texts.json')) as Array<{ text: string }>).map((t) => t.text);
  return { settings, files, tokenizer: createTokenizer(files, settings), texts };
}

/** reference.json with the padded document batch that reference.batch.bin holds. */
export interface BatchedReferenceFile extends ReferenceFile {
  readonly attend_to_expansion_tokens?: boolean;
  readonly batch: { readonly document: { readonly entry_indices: readonly number[]; readonly shape: readonly [number, number, number]; readonly offset: number } };
}

export interface GoldenFixture {
  /** The fixture folder, ending in '/'. */
  readonly folder: string;
  readonly reference: BatchedReferenceFile;
  readonly bin: Float32Array;
  readonly batchBin: Float32Array;
  readonly checkpoint: Checkpoint;
}

export async function loadGoldenFixture(name: string): Promise<GoldenFixture> {
  const folder = `${SHARED_FIXTURES}${name}/`;
  return {
    folder,
    reference: (await readFixtureJson(name, 'reference/reference.json')) as BatchedReferenceFile,
    bin: await readFloats(`${folder}reference/reference.bin`),
    batchBin: await readFloats(`${folder}reference/reference.batch.bin`),
    checkpoint: await loadCheckpoint(folderFiles(`${folder}checkpoint`)),
  };
}

/** A little-endian float32 file, copied so the view is 4-byte aligned whatever offset Node's buffer pool used. */
export async function readFloats(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Largest |a[i] − b[i]|; the lengths must match. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** The reference's padded document batch: its entries, their ids padded with 0 and their masks, and its shape. */
export function documentBatch(reference: BatchedReferenceFile): {
  entries: ReferenceEntry[];
  ids: number[][];
  masks: number[][];
  shape: readonly [number, number, number];
} {
  const { entry_indices: indices, shape } = reference.batch.document;
  const seq = shape[1];
  const entries = indices.map((i) => reference.entries[i]!);
  const ids = entries.map((e) => [...e.token_ids, ...new Array<number>(seq - e.token_ids.length).fill(0)]);
  const masks = entries.map((e) => e.token_ids.map(() => 1).concat(new Array<number>(seq - e.token_ids.length).fill(0)));
  return { entries, ids, masks, shape };
}

/** Worst |Δ| between an encoded document batch and reference.batch.bin, on the real rows and on the [PAD] rows. */
export function documentBatchDiff(data: Float32Array, fixture: GoldenFixture): { real: number; pad: number } {
  const { shape, offset } = fixture.reference.batch.document;
  const [, seq, dim] = shape;
  const { entries } = documentBatch(fixture.reference);
  const ref = fixture.batchBin;
  let real = 0;
  let pad = 0;
  entries.forEach((entry, b) => {
    const end = entry.token_ids.length * dim;
    const at = b * seq * dim;
    real = Math.max(real, maxAbsDiff(data.subarray(at, at + end), ref.subarray(offset + at, offset + at + end)));
    pad = Math.max(pad, maxAbsDiff(data.subarray(at + end, at + seq * dim), ref.subarray(offset + at + end, offset + at + seq * dim)));
  });
  return { real, pad };
}
