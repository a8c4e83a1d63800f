/**
 * Encoding speed of weight formats for bench/weights-formats.ts: fp32 and another format's checkpoint on the same
 * backend (onnxruntime-node or onnxruntime-web WASM in Node), their timed runs alternating so the load of a shared
 * machine falls on both alike; fp32 is the peer, so the figure that matters is the ratio.
 */
import { loadNodeEncoder, memoryFiles } from 'colbert-web/node';
import type { LoadOptions, NodeBackend } from 'colbert-web/node';
import { summarise } from './stats.js';
import type { Summary } from './stats.js';

export interface SpeedRow {
  backend: NodeBackend;
  threads: number;
  format: string;
  documents: number;
  encode: Summary;
  docsPerSecond: number;
  /** docs/s ÷ fp32's docs/s on the same backend, in the same run. */
  vsFp32: number;
  /** Whether the SDK built the int8-compute graph (`encoder.model.int8Compute`). */
  int8Compute: boolean;
}

/** A checkpoint's files, and which of its weights to load (default its safetensors). */
export interface Timed {
  readonly files: Map<string, Uint8Array>;
  readonly weights?: LoadOptions['weights'];
}

/**
 * Times `encode(documents)` `runs` times for each checkpoint in `formats` (fp32 first), alternating run by run.
 *
 * @example
 * const rows = await timeFormats(new Map([['fp32', { files }], ['q4', { files: q4 }]]), texts, 'wasm', 2, 3);
 */
export async function timeFormats(formats: ReadonlyMap<string, Timed>, documents: readonly string[], backend: NodeBackend, threads: number, runs: number): Promise<SpeedRow[]> {
  const inputs = documents.map((text) => ({ text, kind: 'document' as const }));
  const loaded = [];
  for (const [format, { files, weights }] of formats) {
    const encoder = await loadNodeEncoder(memoryFiles(files, format), { backend, threads, ...(weights ? { weights } : {}) });
    await encoder.encode(inputs.slice(0, 1));
    loaded.push({ format, encoder, samples: [] as number[], int8Compute: encoder.model.int8Compute });
  }
  for (let r = 0; r < runs; r++) {
    for (const l of loaded) {
      const t = performance.now();
      await l.encoder.encode(inputs);
      l.samples.push(performance.now() - t);
    }
  }
  for (const l of loaded) await l.encoder.close();
  const rate = (samples: readonly number[]): number => documents.length / (summarise(samples).median / 1000);
  const fp32 = rate(loaded[0]!.samples);
  return loaded.map((l) => ({ backend, threads, format: l.format, documents: documents.length, encode: summarise(l.samples), docsPerSecond: rate(l.samples), vsFp32: rate(l.samples) / fp32, int8Compute: l.int8Compute }));
}
