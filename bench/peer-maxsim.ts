/**
 * The CPU scorer's peer: MaxSim as onnxruntime-web's wasm backend would run it — the corpus as padded tensors
 * [documents, longest, dim] (chunks of 256 documents, each padded to its own longest document by repeating the
 * document's first token, which cannot change a max), MatMul with the query, ReduceMax over the document tokens,
 * ReduceSum over the query tokens. Each chunk is a session whose corpus is an initializer, so, like our scorer, the
 * corpus stays resident and only the query is fed per search. Runs in Node and in the browser.
 */
import type * as Ort from 'onnxruntime-web';
import { GraphBuilder } from '../packages/colbert-web/src/model/graph/graph-builder.js';
import { attr, OnnxDataType } from '../packages/colbert-web/src/model/graph/onnx-proto.js';

const CHUNK = 256;

function maxsimModel(documents: Float32Array, count: number, longest: number, dim: number, queryTokens: number): Uint8Array {
  const g = new GraphBuilder('peer-maxsim');
  const query = g.input('query_t', OnnxDataType.Float, [dim, queryTokens]);
  const corpus = g.addInitializer('corpus', documents, [count, longest, dim]);
  const sims = g.op('MatMul', [corpus, query]); // [count, longest, queryTokens]
  const best = g.op('ReduceMax', [sims], { axes: attr.ints([1]), keepdims: attr.int(0) }); // [count, queryTokens]
  g.output(g.op('ReduceSum', [best, g.int64([1])], { keepdims: attr.int(0) }), 'scores', OnnxDataType.Float, [count]);
  return g.build();
}

export interface PeerMaxSim {
  /** Scores every document (the caller's top-k over them is not timed: it is the same for every path). */
  score(query: Float32Array, queryTokens: number): Promise<Float32Array>;
  /** Padded bytes held, for GB/s. */
  paddedBytes: number;
  release(): Promise<void>;
}

export async function createPeerMaxSim(ort: typeof Ort, vectors: Float32Array, lengths: readonly number[], dim: number, queryTokens: number): Promise<PeerMaxSim> {
  const sessions: Ort.InferenceSession[] = [];
  let paddedBytes = 0;
  let row = 0;
  for (let start = 0; start < lengths.length; start += CHUNK) {
    const chunk = lengths.slice(start, start + CHUNK);
    const longest = Math.max(...chunk);
    const padded = new Float32Array(chunk.length * longest * dim);
    chunk.forEach((length, i) => {
      padded.set(vectors.subarray(row * dim, (row + length) * dim), i * longest * dim);
      for (let t = length; t < longest; t++) padded.copyWithin((i * longest + t) * dim, i * longest * dim, (i * longest + 1) * dim);
      row += length;
    });
    paddedBytes += padded.byteLength;
    sessions.push(await ort.InferenceSession.create(maxsimModel(padded, chunk.length, longest, dim, queryTokens), { executionProviders: ['wasm'] }));
  }
  return {
    paddedBytes,
    async score(query, rows) {
      const transposed = new Float32Array(dim * rows);
      for (let q = 0; q < rows; q++) for (let i = 0; i < dim; i++) transposed[i * rows + q] = query[q * dim + i]!;
      const feed = { query_t: new ort.Tensor('float32', transposed, [dim, rows]) };
      const out = new Float32Array(lengths.length);
      let at = 0;
      for (const session of sessions) {
        const scores = (await session.run(feed))['scores']!.data as Float32Array;
        out.set(scores, at);
        at += scores.length;
      }
      return out;
    },
    async release() {
      for (const session of sessions) await session.release();
    },
  };
}
