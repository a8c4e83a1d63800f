import type { Page } from '@playwright/test';

/** What one encoder did with a sample of a golden reference's texts, in the harness page. */
export interface GoldenOutcome {
  /** `info().backend.name`: what ran. */
  backend: string;
  /** `info().model.int8Compute`: whether the Linears computed in int8. */
  int8Compute: boolean;
  maxAbs: number;
  /** Smallest per-row cosine with the reference rows. */
  minCosine: number;
  idMismatches: string[];
  /** WebGPU only (else null): nodes onnxruntime put on the CPU that are not shape arithmetic, and on the GPU. */
  fallbackNodes: number | null;
  cpuFallback: readonly string[] | null;
  gpuNodes: number | null;
  vectors: number[][];
}

export interface GoldenEncodeOptions {
  /** Checkpoint base URL. */
  url: string;
  /** Folder of reference.json / reference.bin. */
  reference: string;
  backend: 'wasm' | 'webgpu' | 'auto';
  weights?: 'safetensors' | 'onnx' | 'onnx-fp16' | 'onnx-int8';
  /** Encode every `every`-th reference text (default 4). */
  every?: number;
}

/**
 * Loads an encoder in /harness/encoder.html and encodes every `every`-th reference text as its mode says; compares
 * with the reference rows.
 *
 * @example
 * const outcome = await encodeGolden(page, { url: '/__generated/tiny-q4/', reference, backend: 'webgpu' });
 */
export function encodeGolden(page: Page, options: GoldenEncodeOptions): Promise<GoldenOutcome> {
  return page.evaluate(async ({ url, reference, backend, weights, every }) => {
    const ref = await (await fetch(`${reference}reference.json`)).json();
    const bin = new Float32Array(await (await fetch(`${reference}reference.bin`)).arrayBuffer());
    const entries = ref.entries.filter((_: unknown, i: number) => i % every === 0);
    const encoder = await window.colbert.createEncoder({ model: url, backend, ...(weights ? { weights } : {}), cache: false });
    const encoded = await encoder.encode(entries.map((e: { text: string; mode: 'query' | 'document' }) => ({ text: e.text, kind: e.mode })));
    const { backend: info, model } = await encoder.info();
    await encoder.close();
    const comparison = window.golden.compareWithReference(entries, bin, encoded);
    let minCosine = 1;
    entries.forEach((entry: Parameters<typeof window.golden.expectedRows>[0], i: number) => {
      const got = encoded[i]!;
      window.golden.expectedRows(entry, bin).vectors.forEach((row, r) => {
        let dot = 0;
        for (let c = 0; c < got.dim; c++) dot += row[c]! * got.vectors[r * got.dim + c]!;
        minCosine = Math.min(minCosine, dot);
      });
    });
    const gpu = info.name === 'webgpu' ? info : null;
    return {
      backend: info.name,
      int8Compute: model.int8Compute,
      maxAbs: comparison.maxAbs,
      minCosine,
      idMismatches: [...comparison.idMismatches],
      fallbackNodes: gpu ? gpu.fallbackNodes : null,
      cpuFallback: gpu ? (gpu.placement?.cpuFallback ?? null) : null,
      gpuNodes: gpu ? (gpu.placement?.gpu ?? null) : null,
      vectors: encoded.map((e) => Array.from(e.vectors)),
    };
  }, { every: 4, ...options });
}
