/**
 * The exact word-piece-overlap scorer: score(query, document) = the number of the query's token rows whose
 * token id is among the document's token rows, with the model's own tokenizer and ColBERT preparation (prefix,
 * truncation to query_length / document_length, [MASK] expansion, skiplist), i.e. the rows PyLate would encode.
 *
 * Why this is what the `lexical` fixture model computes under MaxSim (packages/fixtures/src/lexical.ts):
 * that model's output row for a token is a fixed unit vector e_t of its id alone (embedding LayerNorm is the
 * identity, every residual update is zero, the Dense is the identity, then L2 normalisation). Special tokens
 * (tokenizer.json's added tokens: [PAD] [UNK] [CLS] [SEP] [MASK] [unused0] [unused1]) are centred basis vectors
 * on reserved dimensions; word pieces are seeded Gaussians on the other 120 dimensions, zero-mean there. So
 *   e_t·e_t = 1;  special·word piece = 0 exactly;  special·other special = −1/(H−1) ≈ −0.008;
 *   word piece·other word piece ≈ N(0, 1/120), never near 1.
 * MaxSim(Q, D) = Σ over query rows r of max over document rows s of e_{q_r}·e_{d_s}. A query row whose id occurs
 * among the document's rows contributes exactly 1 (two unit vectors reach 1 only when equal); any other row
 * contributes less: 0 for a special row ([MASK] expansion, the [unused0] prefix), a small positive max of random
 * dot products (≈ 0.1–0.3, larger in longer documents) for a word piece. [CLS] and [SEP] are in every
 * document, +2 for all. Hence MaxSim = 2 + overlap + noise, 0 ≤ noise < 1 per unmatched query word piece, where
 * overlap is this file's integer. The noise is the model's only departure from it; it mostly breaks overlap's
 * many ties (in favour of longer documents) and can reorder documents whose overlaps differ by one.
 *
 * Which rows count, following from that:
 * - query rows: PyLate's whole query matrix except the template's [CLS] and [SEP] (constant for every
 *   document): the prefix row, up to query_length − 3 text pieces, the [MASK] expansion rows. A piece repeated
 *   in the query counts once per occurrence (MaxSim sums over rows). Query punctuation never counts, because
 *   documents drop skiplist rows; prefix and [MASK] rows count only if a document's text holds the literal
 *   token (none does in SciFact). [UNK] matches [UNK] (it is a special token with its own vector).
 * - document rows: [CLS], prefix, text pieces up to document_length (or every piece with split long
 *   documents, whose windows together keep each token once), [SEP], minus skiplist tokens; a piece repeated in
 *   the document counts once (max, not sum).
 * Ties keep corpus order, as the SDK's scorers do (lower sequence number first).
 */
import { createTokenizer, loadCheckpoint, modelFiles, prepareTexts } from 'colbert-web/node';
import type { ColbertSettings, ColbertTokenizer, LongDocumentMode, PreparedText } from 'colbert-web/node';
import type { EvalDocument, Ranker, Run } from './ranker.js';
import { topK } from './top-k.js';

/** The parts of a checkpoint the overlap scorer uses: its tokenizer and ColBERT settings. */
export interface TokenRules {
  readonly tokenizer: ColbertTokenizer;
  readonly settings: ColbertSettings;
}

export interface OverlapOptions {
  /** How documents longer than document_length are handled, as in `encode`. Default 'truncate'. */
  readonly longDocuments?: LongDocumentMode;
  /** Documents returned per query. Default 100. */
  readonly topK?: number;
}

const CHUNK = 256;

/**
 * The tokenizer and settings of a PyLate checkpoint folder or URL (the weights are read and checked, not used).
 *
 * @example
 * const rules = await loadTokenRules('public/models/lexical');
 */
export async function loadTokenRules(pathOrUrl: string): Promise<TokenRules> {
  const checkpoint = await loadCheckpoint(modelFiles(pathOrUrl));
  return { tokenizer: createTokenizer(checkpoint.tokenizer, checkpoint.settings), settings: checkpoint.settings };
}

/**
 * The query rows that take part in the overlap: all rows but the template's leading ([CLS]) and trailing ([SEP])
 * specials, which sit before the [MASK] expansion rows.
 *
 * @example
 * queryPieceIds(rules, 'heart attack'); // Int32Array [1 ([unused0]), 2540, 2886, 103, 103, …]
 */
export function queryPieceIds(rules: TokenRules, text: string): Int32Array {
  const [query] = prepareTexts(rules.tokenizer, rules.settings, [{ text, kind: 'query' }]) as [PreparedText];
  const { ids, spans } = query;
  const { maskId, leadingSpecials, trailingSpecials } = rules.tokenizer;
  // Expansion rows are the trailing [MASK] rows with no source text (a literal "[MASK]" in the text has a span).
  let end = ids.length;
  while (end > 0 && ids[end - 1] === maskId && spans[2 * (end - 1)] === -1) end--;
  const kept: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i < leadingSpecials || (i >= end - trailingSpecials && i < end)) continue;
    kept.push(ids[i]!);
  }
  return Int32Array.from(kept);
}

/** Distinct token ids of every document's kept rows, as postings: token id → document indices. */
export class OverlapIndex {
  private readonly postings = new Map<number, number[]>();

  constructor(
    private readonly rules: TokenRules,
    readonly documents: readonly EvalDocument[],
    options: Pick<OverlapOptions, 'longDocuments'> = {},
  ) {
    const longDocuments = options.longDocuments ?? 'truncate';
    for (let start = 0; start < documents.length; start += CHUNK) {
      const chunk = documents.slice(start, start + CHUNK).map((d) => ({ text: d.text, kind: 'document' as const }));
      prepareTexts(rules.tokenizer, rules.settings, chunk, { longDocuments, firstIndex: start }).forEach((doc, j) => {
        for (const id of new Set(doc.ids)) {
          let list = this.postings.get(id);
          if (!list) this.postings.set(id, (list = []));
          list.push(start + j);
        }
      });
    }
  }

  /** One overlap count per document, in corpus order. */
  score(query: string): Float64Array {
    const scores = new Float64Array(this.documents.length);
    for (const id of queryPieceIds(this.rules, query)) {
      for (const doc of this.postings.get(id) ?? []) scores[doc]! += 1;
    }
    return scores;
  }
}

/**
 * An overlap ranker over `documents` (tokenized once, here).
 *
 * @example
 * const rank = createOverlapRanker(await loadTokenRules('public/models/lexical'), documents);
 * const run = await rank(queries);
 */
export function createOverlapRanker(rules: TokenRules, documents: readonly EvalDocument[], options: OverlapOptions = {}): Ranker {
  const index = new OverlapIndex(rules, documents, options);
  const k = options.topK ?? 100;
  return (queries) => {
    const run: Run = new Map();
    for (const query of queries) run.set(query.id, topK(index.score(query.text), documents, k));
    return Promise.resolve(run);
  };
}
