import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertSameModel, createWasmScorer, loadEncoderFrom, modelFiles, modelIdentity } from 'colbert-web/node';
import type { LongDocumentMode, StoredPrecision } from 'colbert-web/node';
import { indexCommand } from '../index-command.js';
import { documentsBySeq, readIndexFile } from '../index-file.js';
import { openFileSearcher } from '../file-searcher.js';
import type { EvalQuery, Ranker, Run } from './ranker.js';

export interface ModelRankerOptions {
  model: string;
  /** The BEIR corpus file: indexed with `colbert-web index` unless `index` is given. */
  corpus: string;
  /** A prebuilt index file to evaluate as it is. */
  index?: string;
  precision: StoredPrecision;
  longDocuments: LongDocumentMode;
  /** Token pooling of the index built (1: none); a prebuilt index keeps its own. */
  poolFactor: number;
  /** Compression of the index built (`index --nbits`; unset: none); a prebuilt index keeps its own. */
  nbits?: 2 | 4;
  topK: number;
}

/** The model's ranker, and the same ranking restricted per query to candidates (document ids) from elsewhere. */
export interface ModelRanker {
  ranker: Ranker;
  rankAmong(queries: readonly EvalQuery[], candidates: ReadonlyMap<string, readonly string[]>): Promise<Run>;
  settings: Record<string, string | number>;
  close(): Promise<void>;
}

/**
 * The SDK end to end, as users run it: the corpus goes through `colbert-web index` into a portable index file
 * (or a prebuilt file is taken as it is), the file is read back and checked, and queries are encoded and scored by
 * the WebAssembly scorer — so a bug in tokenisation, storage, quantisation or top-k shows up as a metric change.
 *
 * @example
 * const { ranker } = await createModelRanker({ model: './lexical', corpus: 'corpus.jsonl.gz', precision: 'int8', longDocuments: 'truncate', topK: 100 });
 */
export async function createModelRanker(options: ModelRankerOptions): Promise<ModelRanker> {
  const scratch = options.index ? undefined : mkdtempSync(join(tmpdir(), 'colbert-eval-'));
  const file = options.index ?? join(scratch!, 'eval.cwi');
  try {
    if (!options.index) {
      const args = [options.corpus, '--model', options.model, '--output', file, '--precision', options.precision, '--long-documents', options.longDocuments, '--pool-factor', String(options.poolFactor), ...(options.nbits ? ['--nbits', String(options.nbits)] : [])];
      const status = await indexCommand(args);
      if (status !== 0) throw new Error(`indexing ${options.corpus} stopped (exit ${status}).`);
    }
    const contents = readIndexFile(file);
    const { identity, segments, coded } = contents;
    const encoder = await loadEncoderFrom(options.model);
    assertSameModel(identity.identity, await modelIdentity(modelFiles(options.model), encoder.checkpoint, options.model), file);
    const { dim } = identity.identity;
    const scorer = await openFileSearcher(contents);
    const bySeq = documentsBySeq([...coded, ...segments]);
    const seqOf = new Map([...bySeq].map(([seq, doc]) => [doc.id, seq]));
    const rankAmong = async (queries: readonly EvalQuery[], candidates?: ReadonlyMap<string, readonly string[]>): Promise<Run> => {
      const encoded = await encoder.encode(queries.map((q) => ({ text: q.text, kind: 'query' as const })));
      const run: Run = new Map();
      for (const [i, q] of queries.entries()) {
        const e = encoded[i]!;
        const allowed = candidates?.get(q.id);
        // Candidates are scored by the same scorer over the same index as a search: the same scores.
        const only = allowed && Uint32Array.from(allowed.filter((id) => seqOf.has(id)), (id) => seqOf.get(id)!);
        const hits = await scorer.score({ dim, rows: e.rows, values: e.vectors }, { k: options.topK, ...(only ? { only } : {}) });
        run.set(q.id, hits.map((h) => ({ docId: bySeq.get(h.seq)!.id, score: h.score })));
      }
      return run;
    };
    const ranker: Ranker = (queries) => rankAmong(queries);
    const settings = {
      model: options.model,
      precision: identity.precision,
      longDocuments: options.index ? 'as indexed' : options.longDocuments,
      poolFactor: identity.poolFactor,
      nbits: identity.nbits ?? 'none',
      scorer: scorer.backend,
      tokens: segments.reduce((n, s) => n + s.tokens.rows, 0) + coded.reduce((n, s) => n + s.codes.length, 0),
    };
    return {
      ranker,
      rankAmong,
      settings,
      async close() {
        scorer.dispose();
        await encoder.close();
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}
