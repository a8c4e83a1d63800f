import type { TokenMatch } from '../../scoring/scorer.js';
import type { CorpusDocument } from '../corpus.js';
import source from './explain.wgsl.js';
import { preludeBindings, type ScorePassInput } from './maxsim.js';
import { bindings, grid, kernelPipeline } from './precision.js';

/**
 * For each given document, per query token the best-matching document token and its score (explain.wgsl): a
 * second small pass over only the top documents' rows, read back as (token, score) pairs.
 *
 * @example
 * const matches = await explainDocuments(input, top.map((r) => corpus.documents[corpus.slotOf(r.seq)!]!));
 */
export async function explainDocuments(input: Omit<ScorePassInput, 'scores'>, documents: readonly CorpusDocument[]): Promise<TokenMatch[][]> {
  const { context, scratch, precision, dim, query } = input;
  const q = query.tokens;
  if (documents.length === 0 || q === 0) return documents.map(() => []);
  const pipeline = kernelPipeline(context, { name: 'explain', source, entryPoint: 'explain', precision, constants: { D4: dim / 4 } });
  const matches = scratch.acquire(documents.length * q * 8, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'explain matches');
  const encoder = context.device.createCommandEncoder({ label: 'colbert-web explain' });
  const pass = encoder.beginComputePass({ label: 'colbert-web explain' });
  for (const shard of new Set(documents.map((d) => d.shard))) {
    const items: number[] = [];
    documents.forEach((d, i) => {
      if (d.shard === shard) items.push(i, d.firstRow, d.rows, 0);
    });
    const count = items.length / 4;
    const [gx, gy] = grid(context, Math.ceil((count * q) / 64));
    const params = scratch.params([q, count, gx], 'explain');
    const itemBuffer = scratch.upload(Uint32Array.from(items), GPUBufferUsage.STORAGE, 'explain items');
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, context.device.createBindGroup({
      label: 'colbert-web explain',
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings([[0, params], ...preludeBindings({ ...input, scores: matches }, shard), [4, itemBuffer], [5, matches]]),
    }));
    pass.dispatchWorkgroups(gx, gy);
  }
  pass.end();
  context.device.queue.submit([encoder.finish()]);
  const words = new Uint32Array(await context.readBack(matches, 0, documents.length * q * 8, 'explain matches'));
  const scores = new Float32Array(words.buffer);
  return documents.map((_, i) =>
    Array.from({ length: q }, (__, t) => ({ queryToken: t, documentToken: words[(i * q + t) * 2]!, score: scores[(i * q + t) * 2 + 1]! })),
  );
}
