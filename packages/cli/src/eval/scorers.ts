/**
 * The scorers `colbert-web eval --scorer` can run, each a factory from the loaded corpus to a `Ranker`.
 * The model scorer (encode → store → score through the SDK) plugs in here.
 */
import { ColbertError, ErrorCode } from 'colbert-web/node';
import type { LongDocumentMode, StoredPrecision } from 'colbert-web/node';
import { createModelRanker } from './model-ranker.js';
import { createBm25Ranker } from './bm25.js';
import { createHybridRanker, createRerankRanker } from './fused-rankers.js';
import type { FusionName } from './fused-rankers.js';
import { createOverlapRanker, loadTokenRules } from './overlap.js';
import type { EvalDocument, Ranker } from './ranker.js';

export const SCORER_NAMES = ['model', 'bm25', 'overlap', 'hybrid'] as const;
export type ScorerName = (typeof SCORER_NAMES)[number];

/** What a scorer factory gets from the command line. */
export interface ScorerContext {
  /** The corpus file the documents came from (the model scorer indexes it with `colbert-web index`). */
  readonly corpus: string;
  readonly documents: readonly EvalDocument[];
  /** Stored precision of the index the model scorer builds. */
  readonly precision: StoredPrecision;
  /** `--model`: a checkpoint folder or URL (required by 'model' and 'overlap'). */
  readonly model?: string;
  /** `--index`: a prebuilt index file to evaluate instead of indexing `documents`. */
  readonly index?: string;
  readonly longDocuments: LongDocumentMode;
  /** `--pool-factor`: token pooling of the index the model scorer builds (1: none). */
  readonly poolFactor: number;
  /** `--nbits`: compression of the index the model scorer builds (unset: none). */
  readonly nbits?: 2 | 4;
  /** Documents each query's ranking must hold. */
  readonly topK: number;
  readonly bm25: { readonly k1: number; readonly b: number };
  /** `--scorer hybrid`: how the model's and BM25's rankings are fused. */
  readonly fusion: { readonly name: FusionName; readonly semanticWeight: number };
  /** `--rerank bm25:N` (model scorer): rank only BM25's best N documents of each query. */
  readonly rerankDepth?: number;
}

/** A built ranker and the settings worth printing with its numbers. */
export interface PreparedScorer {
  readonly ranker: Ranker;
  readonly settings: Readonly<Record<string, string | number>>;
  /** Releases what the ranker holds (encoder, scorer, temporary files). */
  close?(): Promise<void>;
}

export type ScorerFactory = (context: ScorerContext) => Promise<PreparedScorer>;

function needModel(context: ScorerContext, scorer: ScorerName): string {
  if (!context.model) throw new ColbertError(ErrorCode.InvalidInput, `--scorer ${scorer} needs --model <folder|url>.`, { subject: '--model' });
  return context.model;
}

/**
 * The factory of each scorer.
 *
 * @example
 * const { ranker } = await SCORERS.bm25({ documents, longDocuments: 'truncate', topK: 100, bm25: { k1: 1.2, b: 0.75 } });
 */
export const SCORERS: Record<ScorerName, ScorerFactory> = {
  model: async (context) => {
    const model = await modelRanker(context);
    if (context.rerankDepth === undefined) return model;
    const first = createBm25Ranker(context.documents, { ...context.bm25, topK: context.rerankDepth });
    return { ...model, ranker: createRerankRanker(model, first), settings: { ...model.settings, rerank: `bm25:${context.rerankDepth}` } };
  },
  bm25: (context) => {
    const { k1, b } = context.bm25;
    return Promise.resolve({ ranker: createBm25Ranker(context.documents, { k1, b, topK: context.topK }), settings: { k1, b } });
  },
  overlap: async (context) => {
    const model = needModel(context, 'overlap');
    const rules = await loadTokenRules(model);
    const ranker = createOverlapRanker(rules, context.documents, { longDocuments: context.longDocuments, topK: context.topK });
    const { queryLength, documentLength } = rules.settings;
    return { ranker, settings: { model, queryLength, documentLength, longDocuments: context.longDocuments } };
  },
  hybrid: async (context) => {
    const model = await modelRanker(context, 'hybrid');
    const bm25 = createBm25Ranker(context.documents, { ...context.bm25, topK: context.topK });
    const { name, semanticWeight } = context.fusion;
    const ranker = createHybridRanker(model.ranker, bm25, context.documents, { fusion: name, semanticWeight, topK: context.topK });
    const fusion = name === 'rrf' ? 'rrf (k 60)' : `weighted (semantic ${semanticWeight})`;
    return { ...model, ranker, settings: { ...model.settings, fusion, k1: context.bm25.k1, b: context.bm25.b } };
  },
};

function modelRanker(context: ScorerContext, scorer: ScorerName = 'model'): ReturnType<typeof createModelRanker> {
  return createModelRanker({
    model: needModel(context, scorer),
    corpus: context.corpus,
    ...(context.index ? { index: context.index } : {}),
    precision: context.precision,
    longDocuments: context.longDocuments,
    poolFactor: context.poolFactor,
    ...(context.nbits ? { nbits: context.nbits } : {}),
    topK: context.topK,
  });
}
