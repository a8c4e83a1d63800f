import { ColbertError, ErrorCode } from '../errors.js';
import type { Encoder } from '../model/encoder.js';
import type { DocumentInput, Hit, IndexRerankOptions, RerankCandidate } from '../protocol/search-api.js';
import type { StoredDocument } from '../store/store-reads.js';
import { toHits } from './hits.js';
import type { SemanticRanking } from './ranked-search.js';

export interface RerankContext {
  /** The live document stored under an id, if any. */
  seqOf(id: string): number | undefined;
  /** The model's ranking of exactly these documents (ascending seqs), with matches, scored as `search` scores them. */
  semantic(only: Uint32Array): Promise<SemanticRanking>;
  documents(seqs: readonly number[]): Promise<(StoredDocument | undefined)[]>;
  readonly encoder: Pick<Encoder, 'rerank' | 'tokenizer'>;
}

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject} ${message}`, { subject });
}

/**
 * `search.rerank`: candidates given by id are scored from their stored vectors (the same scorer and options as a
 * search restricted to them, so the same scores), candidates given as `{ id, text }` are encoded on the fly by
 * `encoder.rerank` (nothing stored); all of them come back in one MaxSim order (ties: candidates' order), with
 * their matches, cut to `k`.
 */
export async function rerankInIndex(query: string, candidates: readonly RerankCandidate[], options: IndexRerankOptions, context: RerankContext): Promise<Hit[]> {
  if (!Array.isArray(candidates)) throw invalid('candidates', 'must be an array of ids or { id, text } documents.');
  const k = options.k ?? candidates.length;
  if (!Number.isSafeInteger(k) || k < 0) throw invalid('k', `must be a non-negative integer (got ${String(k)}).`);
  const seqs: number[] = [];
  const outside: DocumentInput[] = [];
  const order = new Map<string, number>();
  candidates.forEach((c, i) => {
    const id = typeof c === 'string' ? c : (c as DocumentInput | null)?.id;
    if (typeof id !== 'string') throw invalid(`candidates[${i}]`, 'must be an id (a string) or a { id, text } document.');
    if (order.has(id)) throw invalid(`candidates[${i}]`, `"${id}" appears twice; give each candidate once.`);
    order.set(id, i);
    if (typeof c !== 'string') return void outside.push(c);
    const seq = context.seqOf(c);
    if (seq === undefined) throw invalid(`candidates[${i}]`, `"${c}" is no document of this index; pass { id, text } for a document in no index.`);
    seqs.push(seq);
  });
  const [indexed, encoded] = await Promise.all([
    seqs.length === 0 ? [] : scoreIndexed(Uint32Array.from(seqs).sort(), context),
    outside.length === 0 ? [] : context.encoder.rerank(query, outside, options.signal ? { signal: options.signal } : {}),
  ]);
  return [...indexed, ...encoded].sort((a, b) => b.score - a.score || order.get(a.id)! - order.get(b.id)!).slice(0, k);
}

async function scoreIndexed(only: Uint32Array, context: RerankContext): Promise<Hit[]> {
  const { scored, query } = await context.semantic(only);
  const documents = await context.documents(scored.map((s) => s.seq));
  return toHits(scored, documents, query, context.encoder.tokenizer);
}
