/**
 * What `colbert-web optimize-model` buys and costs: download bytes of each weight format (fp32, fp16, int8, q4) for
 * the answerai-colbert-small-v1, mxbai-edge-colbert-v0-32m and lexical shapes (seeded weights), the smallest per-row
 * cosine of their token vectors with fp32's, — with the lexical model, whose rankings mean something — SciFact
 * top-10 overlap with the fp32 model's rankings (exact f32 MaxSim, onnxruntime-node), and for the two real shapes
 * the encoding speed of q4 (MatMulNBits) against fp32 on onnxruntime-node and onnxruntime-web WASM, in the same run
 * (fp16 and int8 are widened to fp32 on load: their graph, and so their speed, is fp32's).
 *
 *   npx tsx bench/weights-formats.ts [--docs 1000] [--queries 100] [--cosine-docs 8] [--speed-docs 4] [--runs 3] [--threads 2]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { generatePreset } from '@colbert-web/fixtures';
import type { PresetName } from '@colbert-web/fixtures';
import { createWasmScorer, loadNodeEncoder, memoryFiles } from 'colbert-web/node';
import type { EncodedText } from 'colbert-web/node';
import { compactCheckpointFiles } from '../packages/cli/src/optimize-model.js';
import type { WeightFormat } from '../packages/cli/src/optimize-model.js';
import { scifactDocuments, scifactQueries } from './corpus.js';
import { environment, fmt, report } from './stats.js';
import { timeFormats } from './weights-speed.js';
import type { SpeedRow } from './weights-speed.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '1000' },
    queries: { type: 'string', default: '100' },
    'cosine-docs': { type: 'string', default: '8' },
    'speed-docs': { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const FORMATS: readonly ('fp32' | WeightFormat)[] = ['fp32', 'fp16', 'int8', 'q4'];
const SHAPES: readonly { name: PresetName; ranking: boolean }[] = [
  { name: 'answerai-small', ranking: false },
  { name: 'mxbai-edge-32m-shape', ranking: false },
  { name: 'lexical', ranking: true },
];

function convert(files: ReadonlyMap<string, Uint8Array>, format: 'fp32' | WeightFormat): Map<string, Uint8Array> {
  return format === 'fp32' ? new Map(files) : compactCheckpointFiles(files, format);
}

function minRowCosine(a: readonly EncodedText[], b: readonly EncodedText[]): number {
  let min = 1;
  a.forEach((e, i) => {
    for (let r = 0; r < e.rows; r++) {
      // Rows are L2-normalised: the dot product is the cosine.
      let dot = 0;
      for (let c = 0; c < e.dim; c++) dot += e.vectors[r * e.dim + c]! * b[i]!.vectors[r * e.dim + c]!;
      min = Math.min(min, dot);
    }
  });
  return min;
}

async function topTen(docs: readonly EncodedText[], queries: readonly EncodedText[]): Promise<number[][]> {
  const dim = docs[0]!.dim;
  const scorer = await createWasmScorer({ dim, precision: 'f32' });
  const values = new Float32Array(docs.reduce((n, d) => n + d.vectors.length, 0));
  docs.reduce((at, d) => (values.set(d.vectors, at), at + d.vectors.length), 0);
  const rows = docs.reduce((n, d) => n + d.rows, 0);
  await scorer.append({ tokens: { precision: 'f32', dim, rows, values }, lengths: Uint32Array.from(docs, (d) => d.rows), seqs: Uint32Array.from(docs, (_, i) => i) });
  const out: number[][] = [];
  for (const q of queries) out.push((await scorer.score({ precision: 'f32', dim, rows: q.rows, values: q.vectors }, { k: 10 })).map((h) => h.seq));
  scorer.dispose();
  return out;
}

interface Row {
  shape: string;
  format: string;
  bytes: number;
  safetensorsBytes: number;
  minRowCosine: number;
  top10Overlap?: { mean: number; worst: number; queries: number; documents: number };
}

const rows: Row[] = [];
for (const shape of SHAPES) {
  const files = generatePreset(shape.name);
  const documents = scifactDocuments(shape.ranking ? Number(values.docs) : Number(values['cosine-docs']));
  const queries = scifactQueries(shape.ranking ? Number(values.queries) : Number(values['cosine-docs']));
  const inputs = [...documents.map((text) => ({ text, kind: 'document' as const })), ...queries.map((text) => ({ text, kind: 'query' as const }))];
  let reference: { encoded: EncodedText[]; top: number[][] } | undefined;
  for (const format of FORMATS) {
    const converted = convert(files, format);
    const encoder = await loadNodeEncoder(memoryFiles(converted, `${shape.name} ${format}`), { backend: 'native' });
    const encoded = await encoder.encode(inputs);
    await encoder.close();
    const top = shape.ranking ? await topTen(encoded.slice(0, documents.length), encoded.slice(documents.length)) : [];
    reference ??= { encoded, top };
    const overlaps = top.map((seqs, q) => seqs.filter((s) => reference!.top[q]!.includes(s)).length / 10);
    const sizes = [...converted].map(([path, bytes]) => ({ safetensors: path.endsWith('.safetensors'), n: bytes.length }));
    rows.push({
      shape: shape.name,
      format,
      bytes: sizes.reduce((n, s) => n + s.n, 0),
      safetensorsBytes: sizes.filter((s) => s.safetensors).reduce((n, s) => n + s.n, 0),
      minRowCosine: minRowCosine(reference.encoded, encoded),
      ...(shape.ranking ? { top10Overlap: { mean: overlaps.reduce((a, b) => a + b, 0) / overlaps.length, worst: Math.min(...overlaps), queries: queries.length, documents: documents.length } } : {}),
    });
    process.stderr.write(`${shape.name} ${format}: done\n`);
  }
}

// Speed: fp32 against q4 on each backend, for the shapes whose matrices are large enough to matter.
const speed: (SpeedRow & { shape: string })[] = [];
const speedDocuments = scifactDocuments(Number(values['speed-docs']) * 40).filter((d) => d.length > 1500).slice(0, Number(values['speed-docs']));
for (const shape of SHAPES.filter((s) => !s.ranking)) {
  const files = generatePreset(shape.name);
  const formats = new Map([['fp32', { files }], ['q4', { files: convert(files, 'q4') }]]);
  for (const backend of ['native', 'wasm'] as const) {
    speed.push(...(await timeFormats(formats, speedDocuments, backend, Number(values.threads), Number(values.runs))).map((r) => ({ shape: shape.name, ...r })));
    process.stderr.write(`${shape.name} ${backend}: timed\n`);
  }
}

const docsPerSecond = (shape: string, format: string, backend: string): string => {
  const r = speed.find((x) => x.shape === shape && x.format === format && x.backend === backend);
  return r ? `${fmt(r.docsPerSecond, 2)} (${fmt(r.vsFp32, 2)}×)` : format === 'fp16' || format === 'int8' ? '= fp32' : '–';
};
report('weights-formats', { bench: 'weights-formats', environment: environment(), threads: Number(values.threads), speedDocuments: speedDocuments.length, rows, speed }, [
  'shape (seeded)', 'weights', 'download MB (all files)', 'safetensors MB', 'vs fp32', 'min per-row cosine vs fp32', 'SciFact top-10 overlap with fp32 (mean / worst)', 'docs/s native (× fp32)', 'docs/s WASM (× fp32)',
], rows.map((r) => {
  const fp32 = rows.find((x) => x.shape === r.shape && x.format === 'fp32')!;
  return [
    r.shape, r.format, fmt(r.bytes / 1e6), fmt(r.safetensorsBytes / 1e6), `${fmt((100 * r.safetensorsBytes) / fp32.safetensorsBytes, 0)}%`, r.minRowCosine.toFixed(6),
    r.top10Overlap ? `${fmt(r.top10Overlap.mean, 3)} / ${fmt(r.top10Overlap.worst, 1)} (${r.top10Overlap.queries} queries, ${r.top10Overlap.documents} docs)` : '–',
    docsPerSecond(r.shape, r.format, 'native'), docsPerSecond(r.shape, r.format, 'wasm'),
  ];
}));
