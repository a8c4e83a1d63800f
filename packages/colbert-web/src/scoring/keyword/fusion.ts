/** A ranking's entry: a document and the score that ranking gave it, best first. */
export interface RankedDocument {
  seq: number;
  score: number;
}

/** Where a fused hit came from: its 1-based rank and score in each ranking that found it. */
export interface FusedHit {
  seq: number;
  score: number;
  found: { semantic?: { rank: number; score: number }; keyword?: { rank: number; score: number } };
}

export interface Rankings {
  readonly semantic: readonly RankedDocument[];
  readonly keyword: readonly RankedDocument[];
}

/** RRF's constant (Cormack, Clarke & Büttcher 2009; what Elasticsearch and Azure AI Search use). */
export const RRF_K = 60;

function merge(rankings: Rankings, contribution: (name: keyof Rankings, rank: number, score: number) => number): FusedHit[] {
  const fused = new Map<number, FusedHit>();
  for (const name of ['semantic', 'keyword'] as const) {
    rankings[name].forEach(({ seq, score }, i) => {
      let hit = fused.get(seq);
      if (!hit) fused.set(seq, (hit = { seq, score: 0, found: {} }));
      hit.found[name] = { rank: i + 1, score };
      hit.score += contribution(name, i + 1, score);
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.seq - b.seq);
}

/**
 * Reciprocal rank fusion: Σ over the rankings that found a document of 1 / (k + rank). Best first, ties by
 * sequence number. Scores of different scales (MaxSim, BM25) never meet: only ranks count.
 *
 * @example
 * reciprocalRankFusion({ semantic: [{ seq: 4, score: 21.3 }], keyword: [{ seq: 4, score: 7.1 }, { seq: 9, score: 3 }] });
 * // [{ seq: 4, score: 2/61, … }, { seq: 9, score: 1/62, … }]
 */
export function reciprocalRankFusion(rankings: Rankings, k = RRF_K): FusedHit[] {
  return merge(rankings, (_name, rank) => 1 / (k + rank));
}

/**
 * Weighted score fusion: each ranking's scores min-max normalised to [0, 1] over the documents it returned (all
 * equal → 1), then `semanticWeight · semantic + (1 − semanticWeight) · keyword`, a missing score counting 0.
 */
export function weightedScoreFusion(rankings: Rankings, semanticWeight = 0.5): FusedHit[] {
  const range = (list: readonly RankedDocument[]): { min: number; span: number } => {
    let min = Infinity;
    let max = -Infinity;
    for (const { score } of list) {
      min = Math.min(min, score);
      max = Math.max(max, score);
    }
    return { min, span: max - min };
  };
  const ranges = { semantic: range(rankings.semantic), keyword: range(rankings.keyword) };
  const weights = { semantic: semanticWeight, keyword: 1 - semanticWeight };
  return merge(rankings, (name, _rank, score) => {
    const { min, span } = ranges[name];
    return weights[name] * (span > 0 ? (score - min) / span : 1);
  });
}
