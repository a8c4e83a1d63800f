/**
 * Helpers of bench/pooling.ts for the seeded answerai-small run: a SciFact subset small enough to encode on a
 * loaded 2-core machine (every document relevant to the first N test queries, plus a seeded sample of the others),
 * and the top-10 agreement of a pooled ranking with the unpooled one.
 */
import { mulberry32, uniform } from '@colbert-web/fixtures';
import type { Qrels } from '../packages/cli/src/eval/metrics.js';
import type { EvalDocument, EvalQuery, Run } from '../packages/cli/src/eval/ranker.js';

/**
 * The first `queryCount` queries, every document any of them judges relevant, and a seeded sample of the other
 * documents up to `documentCount` in all (corpus order kept). The qrels are cut to those queries.
 */
export function scifactSubset(
  documents: readonly EvalDocument[],
  queries: readonly EvalQuery[],
  qrels: Qrels,
  queryCount: number,
  documentCount: number,
  seed = 7,
): { documents: EvalDocument[]; queries: EvalQuery[]; qrels: Qrels; relevant: number } {
  const kept = queries.slice(0, queryCount);
  const subQrels: Qrels = new Map(kept.map((q) => [q.id, qrels.get(q.id)!]));
  const relevant = new Set<string>();
  for (const judgments of subQrels.values()) for (const [id, grade] of judgments) if (grade >= 1) relevant.add(id);
  const others = documents.map((d, i) => i).filter((i) => !relevant.has(documents[i]!.id));
  const next = mulberry32(seed);
  // Partial Fisher-Yates: the first `extra` entries become a uniform sample.
  const extra = Math.max(0, Math.min(others.length, documentCount - relevant.size));
  for (let i = 0; i < extra; i++) {
    const j = i + Math.floor(uniform(next) * (others.length - i));
    [others[i], others[j]] = [others[j]!, others[i]!];
  }
  const chosen = new Set(others.slice(0, extra));
  return { documents: documents.filter((d, i) => relevant.has(d.id) || chosen.has(i)), queries: kept, qrels: subQrels, relevant: relevant.size };
}

/** Mean and worst |top-10 of `run` ∩ top-10 of `reference`| / 10 over the reference's queries. */
export function topTenAgreement(run: Run, reference: Run): { mean: number; worst: number } {
  const top = (r: Run, id: string): string[] => [...(r.get(id) ?? [])].sort((a, b) => b.score - a.score).slice(0, 10).map((d) => d.docId);
  const shares = [...reference.keys()].map((id) => {
    const expected = new Set(top(reference, id));
    return top(run, id).filter((d) => expected.has(d)).length / 10;
  });
  return { mean: shares.reduce((a, b) => a + b, 0) / shares.length, worst: Math.min(...shares) };
}
