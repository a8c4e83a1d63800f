import type { BackendInfo, SearchInfo } from 'colbert-web';

/** "encoder: wasm (2 threads, SIMD on)" or "encoder: webgpu (google swiftshader, software; 0 nodes on the CPU)". */
export function describeEncoder(backend: BackendInfo): string {
  if (backend.name === 'wasm') {
    const skipped = backend.webgpuSkipped ? `; WebGPU not used: ${backend.webgpuSkipped.replaceAll('-', ' ')}` : '';
    return `encoder: wasm (${backend.threads} thread${backend.threads === 1 ? '' : 's'}, SIMD ${backend.simd ? 'on' : 'off'}${skipped})`;
  }
  // Node only (onnxruntime-node); a page never runs it.
  if (backend.name === 'native') return `encoder: native (${backend.provider}, ${backend.threads} threads)`;
  const { vendor, architecture, description, isFallbackAdapter } = backend.adapter;
  const adapter = [vendor, architecture || description].filter(Boolean).join(' ') || 'unknown adapter';
  const fallback = backend.fallbackNodes === null ? '' : `; ${backend.fallbackNodes} node${backend.fallbackNodes === 1 ? '' : 's'} on the CPU`;
  return `encoder: webgpu (${adapter}${isFallbackAdapter ? ', software' : ''}${fallback})`;
}

export function describeIndex(info: SearchInfo, modelLabel: string): string {
  const mb = (info.bytes / 1e6).toFixed(info.bytes < 1e7 ? 2 : 1);
  return [
    describeEncoder(info.encoder),
    `scorer: ${info.scorer}`,
    `model: ${modelLabel} (${info.model.architecture}, dim ${info.model.dim})`,
    `index: ${info.documents} docs, ${info.tokens} ${info.poolFactor > 1 ? `rows (pool factor ${info.poolFactor})` : 'tokens'}, ${describeVectors(info)}, ${info.bytesPerToken.toFixed(1)} B/token, ${mb} MB`,
  ].join(' · ');
}

/** "int8", "int8 (nbits 2: exact until it is large)" or "nbits 2 over 4,096 centroids". */
function describeVectors(info: SearchInfo): string {
  if (info.nbits === null) return info.precision;
  if (info.centroids === 0) return `${info.precision} (nbits ${info.nbits}: exact until it is large)`;
  return `nbits ${info.nbits} over ${info.centroids.toLocaleString('en')} centroids`;
}

/** " (pruned, 812 candidates, 64 scored)" or " (exact, 40 scored)"; empty before the first search. */
export function describeLastSearch(info: SearchInfo): string {
  const last = info.lastSearch;
  if (!last) return '';
  return last.pruned ? ` (pruned, ${last.candidates.toLocaleString('en')} candidates, ${last.scored.toLocaleString('en')} scored)` : ` (exact, ${last.scored.toLocaleString('en')} scored)`;
}
