/**
 * onnxruntime-node runs the graph built from safetensors like onnxruntime-web does: the golden PyLate references of
 * both architectures within 1e-5, on the CPU execution provider with several threads.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../errors.js';
import { compareWithReference } from '../testing/golden-reference.js';
import type { ReferenceFile } from '../testing/golden-reference.js';
import { folderFiles } from './files/folder-files.js';
import { loadEncoderWith } from './load-model.js';
import { buildEncoderGraph } from './graph/build-graph.js';
import { loadCheckpoint } from './checkpoint.js';
import { createNativeSession } from './native-session.js';

const fixtures = fileURLToPath(new URL('../../../../../shared/fixtures/', import.meta.url));

describe('golden parity (Node, onnxruntime-node)', () => {
  for (const [name, minRows] of [['colbert-tiny-golden', 2000], ['modernbert-tiny-golden', 3000]] as const) {
    test(`${name}: every text as query and as document matches PyLate within 1e-5`, async () => {
      const golden = `${fixtures}${name}/`;
      const reference = JSON.parse(await readFile(`${golden}reference/reference.json`, 'utf8')) as ReferenceFile;
      const bin = new Float32Array(new Uint8Array(await readFile(`${golden}reference/reference.bin`)).buffer);
      const encoder = await loadEncoderWith(folderFiles(`${golden}checkpoint`), { threads: 2 }, createNativeSession);
      try {
        expect(encoder.backend).toMatchObject({ name: 'native', provider: 'cpu', threads: 2, version: '1.30.0', cudaSkipped: 'not installed' });
        const encoded = await encoder.encode(reference.entries.map((e) => ({ text: e.text, kind: e.mode })));
        const result = compareWithReference(reference.entries, bin, encoded);
        console.info(`${name} on onnxruntime-node vs reference.bin: max |Δ| = ${result.maxAbs.toExponential(2)} over ${result.comparedRows} rows`);
        expect(result.idMismatches).toEqual([]);
        expect(result.comparedRows).toBeGreaterThan(minRows);
        expect(result.maxAbs).toBeLessThanOrEqual(1e-5);
      } finally {
        await encoder.close();
      }
    });
  }

  test('threads must be a positive integer', async () => {
    const checkpoint = await loadCheckpoint(folderFiles(`${fixtures}colbert-tiny-golden/checkpoint`));
    await expect(createNativeSession(buildEncoderGraph(checkpoint), { threads: 0 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, subject: 'threads' });
  });
});
