/**
 * int8 compute built from int8 safetensors (`optimize-model --weights int8`): on onnxruntime-web WASM and on
 * onnxruntime-node the backbone's Linears run as DynamicQuantizeLinear + MatMulInteger (`encoder.model.int8Compute`),
 * and every token vector stays within a stated cosine of the fp32 checkpoint's, on the two golden recipes and on a
 * seeded answerai-colbert-small shape (12 layers, H 384; WASM only, to stay fast). `int8Compute: false` runs the
 * dequantised float32 weights.
 *
 * floor: the smallest per-row cosine with fp32, measured here on every 4th golden text and 2 short texts (WASM /
 * native): BERT golden 0.99968 / 0.99968, ModernBERT golden 0.99657 / 0.99640, answerai-small 0.99920 (WASM). The
 * int8 weights computed in float32 give 0.99980 / 0.99944 on the golden recipes: the rest is the per-tensor uint8
 * quantisation of the activations. ~40 s on the loaded 2-core machine (most of it the 12-layer shape).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePreset } from '@colbert-web/fixtures';
import { expect, test } from 'vitest';
import { memoryFiles } from '../../colbert-web/src/model/files/memory-files.js';
import type { EncodedText } from '../../colbert-web/src/model/prepared.js';
import { loadNodeEncoder } from '../../colbert-web/src/node.js';
import { compactCheckpointFiles } from './optimize-model.js';

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url));

function folder(root: string): Map<string, Uint8Array> {
  return new Map(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [relative(root, join(e.parentPath, e.name)), new Uint8Array(readFileSync(join(e.parentPath, e.name)))]),
  );
}

function goldenTexts(name: string, every: number): { text: string; kind: 'query' | 'document' }[] {
  const texts = JSON.parse(readFileSync(join(fixtures, name, 'texts.json'), 'utf8')) as { text: string; kind: 'query' | 'document' }[];
  return texts.filter((_, i) => i % every === 0).map(({ text, kind }) => ({ text, kind }));
}

/** Short SciFact-like texts for the 12-layer shape (kept short: it runs on one WASM thread). */
const SMALL_TEXTS = [
  { text: 'Does vitamin D supplementation reduce fracture risk?', kind: 'query' as const },
  { text: 'Randomised trials of vitamin D with calcium found a modest reduction of hip fractures in elderly women living in care homes.', kind: 'document' as const },
];

function minRowCosine(a: readonly EncodedText[], b: readonly EncodedText[]): number {
  let min = 1;
  a.forEach((e, i) => {
    expect(b[i]!.ids).toEqual(e.ids);
    for (let r = 0; r < e.rows; r++) {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let c = 0; c < e.dim; c++) {
        const x = e.vectors[r * e.dim + c]!;
        const y = b[i]!.vectors[r * e.dim + c]!;
        dot += x * y;
        na += x * x;
        nb += y * y;
      }
      min = Math.min(min, dot / Math.sqrt(na * nb));
    }
  });
  return min;
}

const MODELS = [
  { name: 'BERT golden', files: () => folder(join(fixtures, 'colbert-tiny-golden/checkpoint')), texts: () => goldenTexts('colbert-tiny-golden', 4), floor: 0.999, full: true },
  { name: 'ModernBERT golden', files: () => folder(join(fixtures, 'modernbert-tiny-golden/checkpoint')), texts: () => goldenTexts('modernbert-tiny-golden', 4), floor: 0.99, full: true },
  { name: 'answerai-small (seeded)', files: () => generatePreset('answerai-small'), texts: () => SMALL_TEXTS, floor: 0.998, full: false },
];

for (const { name, files: make, texts, floor, full } of MODELS) {
  test(`${name}: int8 safetensors compute in int8 on ${full ? 'WASM and native' : 'WASM'}, every row within cosine ${floor} of fp32`, { timeout: 120_000 }, async () => {
    const fp32Files = make();
    const int8Files = compactCheckpointFiles(fp32Files, 'int8');
    const inputs = texts();
    const encode = async (files: Map<string, Uint8Array>, options: Parameters<typeof loadNodeEncoder>[1]): Promise<{ out: EncodedText[]; int8Compute: boolean }> => {
      const encoder = await loadNodeEncoder(memoryFiles(files), { threads: 1, ...options });
      try {
        return { out: await encoder.encode(inputs), int8Compute: encoder.model.int8Compute };
      } finally {
        await encoder.close();
      }
    };
    const fp32 = await encode(fp32Files, { backend: 'wasm' });
    expect(fp32.int8Compute).toBe(false);
    const results: Record<string, number> = {};
    const runs = [
      ['wasm int8 compute', { backend: 'wasm' }, true],
      ['native int8 compute', { backend: 'native' }, true],
      ['wasm int8 weights, float32 compute', { backend: 'wasm', int8Compute: false }, false],
    ] as const;
    // The 12-layer shape runs on WASM only (the golden recipes check native and the float32 peer), to keep the file fast.
    for (const [label, options, int8Compute] of full ? runs : runs.slice(0, 1)) {
      const run = await encode(int8Files, options);
      expect(run.int8Compute, label).toBe(int8Compute);
      results[label] = minRowCosine(fp32.out, run.out);
    }
    console.info(`${name} vs fp32, min per-row cosine: ${Object.entries(results).map(([k, v]) => `${k} ${v.toFixed(5)}`).join('; ')}`);
    expect(results['wasm int8 compute']).toBeGreaterThanOrEqual(floor);
    if (!full) return;
    expect(results['native int8 compute']).toBeGreaterThanOrEqual(floor);
    // The activations really were quantised: int8 compute is further from fp32 than the int8 weights alone.
    expect(results['wasm int8 compute']).toBeLessThan(results['wasm int8 weights, float32 compute']!);
  });
}
