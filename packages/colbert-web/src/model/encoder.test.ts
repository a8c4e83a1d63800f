import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePreset } from '@colbert-web/fixtures';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import type { ProgressEvent } from '../protocol/progress.js';
import { compareWithReference } from '../testing/golden-reference.js';
import type { ReferenceFile } from '../testing/golden-reference.js';
import type { Encoder } from './encoder.js';
import { folderFiles } from './files/folder-files.js';
import { memoryFiles } from './files/memory-files.js';
import { urlFiles } from './files/url-files.js';
import { loadEncoder } from './load-model.js';
import { referenceEncode } from './reference-f64.js';
import { writeSafetensors } from './safetensors.js';

const golden = fileURLToPath(new URL('../../../../../shared/fixtures/colbert-tiny-golden/', import.meta.url));

let encoder: Encoder;
let reference: ReferenceFile;
let bin: Float32Array;

beforeAll(async () => {
  encoder = await loadEncoder(folderFiles(`${golden}checkpoint`), { threads: 1 });
  reference = JSON.parse(await readFile(`${golden}reference/reference.json`, 'utf8')) as ReferenceFile;
  bin = new Float32Array(new Uint8Array(await readFile(`${golden}reference/reference.bin`)).buffer);
});

afterAll(async () => {
  await encoder.close();
});

describe('golden parity (Node, WASM)', () => {
  test('every text as query and as document, encoded in one batched call, matches PyLate within 1e-5', async () => {
    const encoded = await encoder.encode(reference.entries.map((e) => ({ text: e.text, kind: e.mode })));
    const result = compareWithReference(reference.entries, bin, encoded);
    expect(result.idMismatches).toEqual([]);
    expect(result.comparedRows).toBeGreaterThan(reference.entries.length * 3);
    expect(result.maxAbs).toBeLessThanOrEqual(1e-5);
    expect(encoder.backend.name).toBe('wasm');
  });

  test('each text alone gives the same rows as in a batch', async () => {
    const inputs = reference.entries.slice(40, 50).map((e) => ({ text: e.text, kind: e.mode }));
    const batched = await encoder.encode(inputs);
    for (const [i, input] of inputs.entries()) {
      const [alone] = await encoder.encode([input]);
      expect(alone!.rows).toBe(batched[i]!.rows);
      const diff = alone!.vectors.reduce((m, v, k) => Math.max(m, Math.abs(v - batched[i]!.vectors[k]!)), 0);
      expect(diff).toBeLessThanOrEqual(1e-5);
    }
  });

  test("encodeQuery asked for 'gpu-buffer' on WASM gives CPU vectors, the rows encode() gives", async () => {
    const text = reference.entries.find((e) => e.mode === 'query')!.text;
    const [expected] = await encoder.encode([{ text, kind: 'query' }]);
    const query = await encoder.encodeQuery(text, { location: 'gpu-buffer' });
    expect(query.location).toBe('cpu');
    const { location, ...rest } = query;
    expect(location).toBe('cpu');
    expect(rest).toEqual(expected);
  });
});

describe('checkpoints the golden fixture does not cover, against the float64 reference', () => {
  for (const preset of ['other-shape', 'tiny-two-dense', 'tiny-prefixed', 'lexical'] as const) {
    test(`${preset}`, async () => {
      const e = await loadEncoder(memoryFiles(generatePreset(preset), preset), { threads: 1 });
      const texts = ['What is the role of p53 in apoptosis?', 'Café Ñandú — naïve résumé!', '', 'x '.repeat(400)];
      const inputs = texts.flatMap((text) => [{ text, kind: 'query' as const }, { text, kind: 'document' as const }]);
      const encoded = await e.encode(inputs);
      let maxAbs = 0;
      const { prepareTexts } = await import('./colbert-prep.js');
      const prepared = prepareTexts(e.tokenizer, e.checkpoint.settings, inputs);
      prepared.forEach((p, i) => {
        const seq = p.sequences[0]!;
        const want = referenceEncode(e.checkpoint, seq.ids, seq.attentionMask);
        const got = encoded[i]!;
        expect(got.rows).toBe(seq.keepRows.length);
        seq.keepRows.forEach((row, k) => {
          for (let c = 0; c < got.dim; c++) maxAbs = Math.max(maxAbs, Math.abs(got.vectors[k * got.dim + c]! - want[row * got.dim + c]!));
        });
      });
      await e.close();
      expect(maxAbs).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe('loading from a URL (local HTTP server serving the fixture)', () => {
  test('gives the same vectors as the folder, with byte progress', async () => {
    const root = `${golden}checkpoint`;
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/model\//, '');
      readFile(join(root, path)).then(
        (body) => {
          res.writeHead(200, { 'content-type': extname(path) === '.json' ? 'application/json' : 'application/octet-stream', 'content-length': body.length });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        () => {
          res.writeHead(404);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const events: ProgressEvent[] = [];
      const remote = await loadEncoder(urlFiles(`http://127.0.0.1:${port}/model`), { threads: 1, onProgress: (e) => events.push(e) });
      const inputs = [{ text: 'late interaction', kind: 'query' as const }, { text: 'ColBERT scores tokens.', kind: 'document' as const }];
      const [fromUrl, fromFolder] = [await remote.encode(inputs), await encoder.encode(inputs)];
      expect(fromUrl.map((e) => Array.from(e.vectors))).toEqual(fromFolder.map((e) => Array.from(e.vectors)));
      const weights = events.filter((e): e is Extract<ProgressEvent, { phase: 'download' }> => e.phase === 'download' && e.file === 'model.safetensors');
      expect(weights.at(-1)?.loaded).toBe(weights.at(-1)?.total);
      expect(weights.at(-1)?.total).toBeGreaterThan(1_000_000);
      await remote.close();
      await expect(loadEncoder(urlFiles(`http://127.0.0.1:${port}/nothing-here`))).rejects.toMatchObject({ code: ErrorCode.ModelFileMissing });
    } finally {
      server.close();
    }
  });
});

describe('bad input', () => {
  test('empty list gives an empty result; empty and whitespace-only texts give [CLS] prefix [SEP]', async () => {
    expect(await encoder.encode([])).toEqual([]);
    const [empty, blank, query] = await encoder.encode([
      { text: '', kind: 'document' },
      { text: ' \t\n ', kind: 'document' },
      { text: '', kind: 'query' },
    ]);
    expect(empty!.rows).toBe(3);
    expect(blank!.rows).toBe(3);
    expect(query!.rows).toBe(32);
  });

  test('lone surrogates and control characters encode without error', async () => {
    const [a, b] = await encoder.encode([
      { text: 'broken \uD800 pair \uDC00 and \u0000\u0007 bell', kind: 'document' },
      { text: '\uDFFF', kind: 'query' },
    ]);
    expect(a!.rows).toBeGreaterThan(3);
    expect(b!.rows).toBe(32);
    expect(Array.from(a!.vectors).every(Number.isFinite)).toBe(true);
  });

  test('a 1 MB document is truncated (flagged) or split, never a crash', async () => {
    const words = ['protein', 'cell', 'tumour', 'gene', 'expression', 'pathway', 'receptor', 'signal'];
    const big = Array.from({ length: 140_000 }, (_, i) => words[i % words.length]).join(' ').slice(0, 1_000_000);
    const started = performance.now();
    const [truncated] = await encoder.encode([{ text: big, kind: 'document' }]);
    expect(truncated!.truncated).toBe(true);
    expect(truncated!.rows).toBe(180);
    const [split] = await encoder.encode([{ text: big.slice(0, 20_000), kind: 'document' }], { longDocuments: 'split' });
    expect(split!.truncated).toBe(false);
    expect(split!.rows).toBeGreaterThan(2_000);
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  test('10,000 texts in one call stream through with bounded memory, in input order', async () => {
    const inputs = Array.from({ length: 10_000 }, (_, i) => ({ text: `document number ${i} about cells`, kind: 'document' as const }));
    const before = process.memoryUsage().rss;
    let count = 0;
    let peak = before;
    for await (const chunk of encoder.encodeStream(inputs)) {
      for (const e of chunk) {
        expect(e.ids.length).toBe(e.rows);
        count++;
      }
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(count).toBe(10_000);
    // One window of results plus one batch of activations, not 10,000 results.
    expect(peak - before).toBeLessThan(400 * 1024 * 1024);
  });

  test('invalid inputs are typed errors naming the field, and the encoder keeps working', async () => {
    await expect(encoder.encode([{ text: 42 as unknown as string, kind: 'document' }])).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(encoder.encode([{ text: 'x', kind: 'passage' as unknown as 'query' }])).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(encoder.encode('nope' as unknown as [])).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    expect((await encoder.encode([{ text: 'fine', kind: 'query' }]))[0]!.rows).toBe(32);
  });

  test('an aborted signal rejects with ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(encoder.encode([{ text: 'x', kind: 'query' }], { signal: controller.signal })).rejects.toMatchObject({ code: ErrorCode.Aborted });
  });
});

describe('broken checkpoints are typed errors naming the file or field', () => {
  const base = (): Map<string, Uint8Array> => new Map(generatePreset('tiny'));
  const load = (files: Map<string, Uint8Array>): Promise<Encoder> => loadEncoder(memoryFiles(files, 'broken'), { threads: 1 });
  const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
  const parse = (bytes: Uint8Array): Record<string, unknown> => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

  test('missing file', async () => {
    const files = base();
    files.delete('tokenizer.json');
    await expect(load(files)).rejects.toMatchObject({ code: ErrorCode.ModelFileMissing, subject: 'tokenizer.json' });
  });

  test('corrupt safetensors header', async () => {
    const files = base();
    const bytes = files.get('model.safetensors')!.slice();
    bytes.fill(0x7b, 8, 40);
    files.set('model.safetensors', bytes);
    const error = await load(files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ColbertError);
    expect(error).toMatchObject({ code: ErrorCode.ModelFileCorrupt });
    expect((error as Error).message).toContain('model.safetensors');
  });

  test('tensor shapes that do not match config.json', async () => {
    const files = base();
    files.set('config.json', json({ ...parse(files.get('config.json')!), intermediate_size: 256 }));
    const error = await load(files).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.ModelShapeMismatch });
    expect((error as Error).message).toMatch(/intermediate\.dense\.weight/);
  });

  test('a Dense weight that does not match its config.json', async () => {
    const files = base();
    files.set('1_Dense/config.json', json({ ...parse(files.get('1_Dense/config.json')!), in_features: 64 }));
    const error = await load(files).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.ModelShapeMismatch });
    expect((error as Error).message).toContain('1_Dense');
  });

  test('Dense modules that are each consistent but do not chain (512 out, 256 in)', async () => {
    const files = new Map(generatePreset('tiny-two-dense'));
    files.set('2_Dense/config.json', json({ ...parse(files.get('2_Dense/config.json')!), in_features: 256 }));
    files.set('2_Dense/model.safetensors', writeSafetensors([{ name: 'linear.weight', shape: [48, 256], data: new Float32Array(48 * 256) }]));
    const error = await load(files).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.ModelShapeMismatch, subject: '2_Dense/config.json' });
    expect((error as Error).message).toMatch(/in_features is 256 but 1_Dense outputs 512/);
  });
});
