import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { RerankOptions } from '../protocol/encoder-api.js';
import type { DocumentInput, Hit, Match } from '../protocol/search-api.js';
import { validateDocuments } from '../protocol/validate-documents.js';
import type { Encoder } from './encoder.js';
import type { EncodedText } from './prepared.js';
import { queryTokenKinds } from './query-token-kinds.js';

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject} ${message}`, { subject });
}

/** Candidates as given, checked: `{ id, text, metadata? }` each, ids unique (a repeat is INVALID_INPUT naming it). */
function validateCandidates(candidates: readonly DocumentInput[]): readonly DocumentInput[] {
  const valid = validateDocuments(candidates, 'candidates');
  if (valid.length < candidates.length) {
    const seen = new Set<string>();
    const repeat = candidates.findIndex((c) => seen.size === seen.add(c.id).size);
    throw invalid(`candidates[${repeat}].id`, `"${candidates[repeat]!.id}" appears twice; give each candidate once.`);
  }
  return candidates;
}

/**
 * MaxSim of the query against one encoded document, in float64 over the float32 vectors (a candidate list is
 * small next to an index: the encoding costs far more than this), with each query row's best document row.
 */
function maxSim(query: EncodedText, document: EncodedText): { score: number; best: Int32Array; bestScores: Float64Array } {
  const { dim } = query;
  const best = new Int32Array(query.rows).fill(-1);
  const bestScores = new Float64Array(query.rows).fill(-Infinity);
  for (let q = 0; q < query.rows; q++) {
    for (let d = 0; d < document.rows; d++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += query.vectors[q * dim + i]! * document.vectors[d * dim + i]!;
      if (dot > bestScores[q]!) {
        bestScores[q] = dot;
        best[q] = d;
      }
    }
  }
  let score = 0;
  for (let q = 0; q < query.rows; q++) if (best[q]! >= 0) score += bestScores[q]!;
  return { score, best, bestScores };
}

/**
 * Orders candidates that are in no index by the model (PyLate's `rank.rerank`): encodes the query and each
 * candidate's text (truncated at the model's document length, as PyLate does; the hit says `truncated`), and
 * returns them in MaxSim order (ties keep the candidates' order), each with its per-query-token matches. Nothing
 * is stored. `k` (default: all) cuts the list.
 *
 * @example
 * const hits = await rerank(encoder, 'heart attack', [{ id: 'a', text: 'Aspirin …' }, { id: 'b', text: 'Yeast …' }]);
 */
export async function rerank(encoder: Encoder, query: string, candidates: readonly DocumentInput[], options: RerankOptions = {}): Promise<Hit[]> {
  if (typeof query !== 'string' || query.trim() === '') throw invalid('query', 'must be a non-empty string.');
  const valid = validateCandidates(candidates);
  const k = options.k ?? valid.length;
  if (!Number.isSafeInteger(k) || k < 0) throw invalid('k', `must be a non-negative integer (got ${String(k)}).`);
  const { signal, onProgress } = options;
  const [encodedQuery] = await encoder.encode([{ text: query, kind: 'query' }], { ...(signal ? { signal } : {}) });
  const kinds = queryTokenKinds(encodedQuery!.ids, encoder.tokenizer);
  const documents = await encoder.encode(
    valid.map((c) => ({ text: c.text, kind: 'document' as const })),
    { longDocuments: 'truncate', ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) },
  );
  throwIfAborted(signal);
  const scored = documents.map((document, i) => ({ i, document, ...maxSim(encodedQuery!, document) }));
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, k).map(({ i, document, score, best, bestScores }) => {
    const candidate = valid[i]!;
    const matches: Match[] = Array.from(best, (row, q) => {
      const span: [number, number] = row >= 0 ? [document.spans[2 * row]!, document.spans[2 * row + 1]!] : [-1, -1];
      return {
        queryToken: encodedQuery!.tokens[q] ?? '',
        queryIndex: q,
        queryKind: kinds[q] ?? 'special',
        start: span[0],
        end: span[1],
        spans: row >= 0 ? [span] : [],
        documentToken: row >= 0 ? (document.tokens[row] ?? '') : '',
        score: bestScores[q]!,
      };
    });
    return { id: candidate.id, score, text: candidate.text, metadata: candidate.metadata, truncated: document.truncated, matches };
  });
}
