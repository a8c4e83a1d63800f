/**
 * `colbert-web index --backend native` and `--backend wasm` build the same index: same documents and token rows,
 * vectors within 1e-5 (f32 files, so nothing is rounded away), and `search` ranks both files the same.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { IndexFileReader } from '../../colbert-web/src/store/index-file-reader.js';

const execute = promisify(execFile);
const bin = fileURLToPath(new URL('../../../node_modules/.bin/colbert-web', import.meta.url));
const model = fileURLToPath(new URL('../../../../shared/fixtures/colbert-tiny-golden/checkpoint', import.meta.url));
const scifact = fileURLToPath(new URL('../../../../shared/data/scifact/', import.meta.url));

function readAll(bytes: Uint8Array): { ids: string[]; lengths: number[]; values: Float32Array } {
  const reader = new IndexFileReader();
  const ids: string[] = [];
  const lengths: number[] = [];
  const parts: Float32Array[] = [];
  for (const item of reader.push(bytes)) {
    if (item.kind !== 'segment') continue;
    const { documents, tokens } = item.segment;
    ids.push(...documents.map((d) => d.id));
    lengths.push(...item.segment.lengths);
    if (tokens.precision !== 'f32') throw new Error(`expected an f32 file, got ${tokens.precision}`);
    parts.push(tokens.values);
  }
  reader.finish();
  const values = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (values.set(p, at), at + p.length), 0);
  return { ids, lengths, values };
}

test('native and WASM builds of a SciFact slice: same rows, vectors within 1e-5, same top-10 for SciFact queries', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'colbert-native-parity-'));
  const corpus = join(dir, 'corpus.jsonl');
  await writeFile(corpus, gunzipSync(await readFile(`${scifact}corpus.jsonl.gz`)).toString('utf8').split('\n').slice(0, 200).join('\n') + '\n');
  const files = { native: join(dir, 'native.cwi'), wasm: join(dir, 'wasm.cwi') };
  for (const [backend, output] of Object.entries(files)) {
    const { stdout, stderr } = await execute(bin, ['index', corpus, '--model', model, '--output', output, '--precision', 'f32', '--backend', backend, '--threads', '2']);
    expect(stdout).toBe('');
    expect(stderr).toContain(backend === 'native' ? 'on native (onnxruntime-node 1.30.0, cpu, 2 thread(s))' : 'on wasm (onnxruntime-web, 2 thread(s)');
  }
  const native = readAll(new Uint8Array(await readFile(files.native)));
  const wasm = readAll(new Uint8Array(await readFile(files.wasm)));
  expect(native.ids).toHaveLength(200);
  expect(native.ids).toEqual(wasm.ids);
  expect(native.lengths).toEqual(wasm.lengths);
  let maxAbs = 0;
  for (let i = 0; i < native.values.length; i++) maxAbs = Math.max(maxAbs, Math.abs(native.values[i]! - wasm.values[i]!));
  console.info(`native vs WASM .cwi: ${native.lengths.reduce((n, l) => n + l, 0)} token vectors, largest |Δ| = ${maxAbs.toExponential(2)}`);
  expect(maxAbs).toBeGreaterThan(0); // two runtimes really ran
  expect(maxAbs).toBeLessThanOrEqual(1e-5);

  const queries = gunzipSync(await readFile(`${scifact}queries.jsonl.gz`)).toString('utf8').split('\n').slice(0, 5).map((l) => (JSON.parse(l) as { text: string }).text);
  for (const query of queries) {
    const [a, b] = await Promise.all(
      [files.native, files.wasm].map(async (file) => JSON.parse((await execute(bin, ['search', file, query, '-k', '10', '--json', '--threads', '1'])).stdout) as { id: string; score: number }[]),
    );
    expect(a!.map((h) => h.id)).toEqual(b!.map((h) => h.id));
    a!.forEach((h, i) => expect(Math.abs(h.score - b![i]!.score)).toBeLessThanOrEqual(1e-4));
  }
});
