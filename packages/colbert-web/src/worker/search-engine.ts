import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { Encoder } from '../model/encoder.js';
import { filesFromSource, loadEncoder } from '../model/load-model.js';
import { loadOnce } from '../model/files/load-once.js';
import type { ModelFiles } from '../model/files/model-files.js';
import { webGpuDevice } from '../model/ort-session.js';
import type { EncodedQuery, EncodedText } from '../model/prepared.js';
import type { ModelSource } from '../protocol/encoder-api.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { AddOptions, DocumentInput, Hit, IndexRerankOptions, OpenSearchOptions, RerankCandidate, SearchApi, SearchInfo, SearchOptions, TokenSimilarities } from '../protocol/search-api.js';
import type { ScoredDocument, ScoreOptions } from '../scoring/scorer.js';
import { compareScored } from '../scoring/scorer.js';
import { assertNbits } from '../scoring/compressed/residual-codec.js';
import { CompressionKeeper } from './compression-keeper.js';
import { DEFAULT_COMPRESS_AT } from '../scoring/compressed/search-defaults.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import type { WebGpuScorer } from '../gpu/webgpu-scorer.js';
import { openIndexStore, type IndexStore } from '../store/index-store.js';
import { modelIdentity } from '../store/model-identity.js';
import type { ModelIdentity } from '../store/model-identity.js';
import { validateDocuments } from '../protocol/validate-documents.js';
import { validateSearchOptions } from './validate-input.js';
import { toHits } from './hits.js';
import { rankedSearch } from './ranked-search.js';
import type { SemanticRanking } from './ranked-search.js';
import { rerankInIndex } from './index-rerank.js';
import { IndexMirror } from './index-mirror.js';
import { SharedRegistry } from './shared-registry.js';
import type { Lease } from './shared-registry.js';
import { SyncKeeper } from './sync-keeper.js';
import { compileFilter } from './metadata-filter.js';
import { Scheduler } from './scheduler.js';
import { createCpuScorer, createScorerFor } from './scorer-factory.js';
import { tokenSimilarities } from './similarities.js';
import { queryTokenKinds } from '../model/query-token-kinds.js';
import { MirrorScoring } from './mirror-scoring.js';
import { assertPoolFactor } from '../model/pooling/pool-document.js';

/** Documents encoded and committed per step of an add: a search waits at most for one such step. */
const DOCUMENTS_PER_STEP = 16;


/** What the engines of one worker share: one thread's task queue, and one encoder per model. */
export interface EngineHost {
  readonly scheduler: Scheduler;
  readonly encoders: SharedRegistry<Encoder>;
}

/** A host for a worker that serves one engine (a dedicated worker, Node). */
export function engineHost(): EngineHost {
  return { scheduler: new Scheduler(), encoders: new SharedRegistry<Encoder>() };
}

/**
 * One index inside the worker: the encoder, the IndexedDB store and the in-memory mirror of it that searches
 * score, with a scheduler that lets a search overtake the queued steps of a long add. Every change, this
 * engine's or another tab's, reaches the mirror through `sync()` (see IndexMirror).
 */
export class SearchEngine implements Omit<SearchApi, 'info'> {
  private closed = false;
  private readonly scheduler: Scheduler;
  private readonly sync: SyncKeeper;
  private readonly compression: CompressionKeeper;
  private readonly scoring: MirrorScoring;
  private lastSearch: SearchInfo['lastSearch'] = null;

  private constructor(
    private readonly encoderLease: Lease<Encoder>,
    private readonly store: IndexStore,
    private readonly mirror: IndexMirror,
    host: EngineHost,
    compressAt: number,
  ) {
    this.scheduler = host.scheduler;
    this.scoring = new MirrorScoring(mirror, () => this.encoder);
    this.sync = new SyncKeeper(store.name, () => this.mirror.sync(), (task) => this.scheduler.schedule('background', task));
    this.sync.listen(store);
    this.compression = new CompressionKeeper(store, mirror, compressAt, (task) => this.scheduler.schedule('background', async () => {
      this.assertOpen();
      await task();
      await this.sync.afterCommit();
    }));
    // An index opened over the threshold but untrained, or with segments still to code (a crash mid-way), goes on.
    this.compression.whenDue();
  }

  private get encoder(): Encoder {
    return this.encoderLease.value;
  }

  /** Loads the model (or shares the host's copy), opens the index and fills the scorer from it. */
  static async open(source: ModelSource, options: Omit<OpenSearchOptions, 'model'>, host: EngineHost = engineHost()): Promise<SearchEngine> {
    const { index = 'default', precision, poolFactor, nbits, compressAt = DEFAULT_COMPRESS_AT, signal, onProgress, worker: _worker, ...load } = options;
    // Checked before the model loads: a bad setting should not cost a download.
    if (poolFactor !== undefined) assertPoolFactor(poolFactor, 'poolFactor');
    if (nbits !== undefined) assertNbits(nbits, 'nbits');
    if (!Number.isSafeInteger(compressAt) || compressAt < 1) throw new ColbertError(ErrorCode.InvalidInput, `compressAt must be a positive integer (got ${String(compressAt)}).`, { subject: 'compressAt' });
    const files = loadOnce(filesFromSource(source, load));
    const lease = await host.encoders.acquire(
      encoderKey(source, load),
      (sig, progress) => loadEncoder(files, { ...load, signal: sig, onProgress: progress }),
      { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) },
    );
    try {
      const store = await openStore(index, files, lease.value, { ...(precision ? { precision } : {}), ...(poolFactor !== undefined ? { poolFactor } : {}), ...(nbits ? { nbits } : {}), ...(signal ? { signal } : {}) });
      try {
        const encoder = lease.value;
        const mirror = await IndexMirror.open(store, ({ onCpu, precision: stored }) => {
          const shape = { dim: encoder.checkpoint.dim, precision: stored };
          return onCpu ? createCpuScorer(shape) : createScorerFor(encoder.backend, webGpuDevice(), shape);
        });
        return new SearchEngine(lease, store, mirror, host, compressAt);
      } catch (error) {
        await store.close();
        throw error;
      }
    } catch (error) {
      await lease.release();
      throw error;
    }
  }

  async add(documents: readonly DocumentInput[], options: AddOptions = {}): Promise<void> {
    this.assertOpen();
    const docs = validateDocuments(documents);
    const { signal, onProgress, longDocuments = 'split' } = options;
    let done = 0;
    for (let start = 0; start < docs.length; start += DOCUMENTS_PER_STEP) {
      const step = docs.slice(start, start + DOCUMENTS_PER_STEP);
      await this.scheduler.schedule('background', async () => {
        this.assertOpen();
        throwIfAborted(signal);
        const encoded = await this.encoder.encode(
          step.map((d) => ({ text: d.text, kind: 'document' as const })),
          // Every document of an index is pooled the same way: with the index's factor (an import may change it).
          { longDocuments, poolFactor: this.store.poolFactor, ...(signal ? { signal } : {}) },
        );
        throwIfAborted(signal);
        await this.store.add(step.map((d, i) => ({ ...d, encoded: encoded[i]! })));
        // The scorer takes the step from the store like any other commit, after whatever other tabs committed first.
        await this.sync.afterCommit();
        this.compression.whenDue();
      });
      done += step.length;
      onProgress?.({ phase: 'index', loaded: done, total: docs.length });
    }
  }

  async search(query: string, options: SearchOptions = {}): Promise<Hit[]> {
    this.assertOpen();
    const valid = validateSearchOptions(query, options);
    const { k, explain, exact, filter } = valid;
    const { signal } = options;
    return this.scheduler.schedule('interactive', async () => {
      this.assertOpen();
      throwIfAborted(signal);
      await this.sync.now();
      const only = filter ? this.mirror.table.matching(compileFilter(filter)) : undefined;
      const semantic = (depth: number): Promise<SemanticRanking> => this.semantic(query, { k: depth, explain, exact, ...(only ? { only } : {}), ...(signal ? { signal } : {}) });
      if (valid.mode !== 'semantic') {
        // Keyword and hybrid: BM25 over the stored text (the query is encoded only for hybrid's semantic ranking).
        return rankedSearch(query, valid, { only, keyword: this.mirror.keyword, semantic, documents: (seqs) => this.store.documents(seqs), tokenizer: this.encoder.tokenizer });
      }
      const { scored, query: explained } = await semantic(k);
      const documents = await this.store.documents(scored.map((s) => s.seq));
      return toHits(scored, documents, explained, this.encoder.tokenizer);
    });
  }

  async rerank(query: string, candidates: readonly RerankCandidate[], options: IndexRerankOptions = {}): Promise<Hit[]> {
    this.assertOpen();
    validateSearchOptions(query, {});
    const { signal } = options;
    return this.scheduler.schedule('interactive', async () => {
      this.assertOpen();
      await this.sync.now();
      return rerankInIndex(query, candidates, options, {
        seqOf: (id) => this.mirror.table.seqOf(id),
        semantic: (only) => this.semantic(query, { k: only.length, explain: true, exact: true, only, ...(signal ? { signal } : {}) }),
        documents: (seqs) => this.store.documents(seqs),
        encoder: this.encoder,
      });
    });
  }

  async similarities(query: string, id: string): Promise<TokenSimilarities> {
    this.assertOpen();
    validateSearchOptions(query, {});
    return this.scheduler.schedule('interactive', async () => {
      this.assertOpen();
      await this.sync.now();
      const seq = this.mirror.table.seqOf(id);
      const [doc] = seq === undefined ? [undefined] : await this.store.documents([seq]);
      if (!doc) throw new ColbertError(ErrorCode.InvalidInput, `No document with id "${id}" in this index.`, { subject: 'id' });
      const [encodedQuery] = await this.encoder.encode([{ text: query, kind: 'query' }]);
      const [encodedDoc] = await this.encoder.encode([{ text: doc.text ?? '', kind: 'document' }], {
        longDocuments: doc.truncated ? 'truncate' : 'split',
        poolFactor: this.store.poolFactor,
      });
      return tokenSimilarities(encodedQuery!, encodedDoc!, queryTokenKinds(encodedQuery!.ids, this.encoder.tokenizer));
    });
  }

  async remove(ids: readonly string[]): Promise<void> {
    this.assertOpen();
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw new ColbertError(ErrorCode.InvalidInput, 'ids must be an array of strings.', { subject: 'ids' });
    }
    await this.committing(() => this.store.remove(ids));
  }

  async clear(): Promise<void> {
    this.assertOpen();
    await this.committing(() => this.store.clear());
  }

  async compact(options: OperationOptions = {}): Promise<{ documentsPurged: number }> {
    this.assertOpen();
    const { signal, onProgress } = options;
    // The rewrite happens in IndexedDB under the store's write lock, outside the scheduler: searches score the
    // in-memory corpus and keep running (each one takes in the steps committed so far, which hold the same vectors).
    const { documentsPurged } = await this.store.compact({
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress: (e: { loaded: number; total: number }) => onProgress({ phase: 'compact', loaded: e.loaded, total: e.total }) } : {}),
    });
    await this.scheduler.schedule('background', () => this.sync.afterCommit());
    // Compaction also finishes what compression has left (training when due, coding every segment of vectors) and
    // re-trains once the index has grown RETRAIN_FACTOR times past its tables' training rows, re-coding every segment.
    await this.compression.finish(true);
    return { documentsPurged };
  }

  async export(): Promise<Blob> {
    this.assertOpen();
    return this.scheduler.schedule('background', () => this.store.export());
  }

  /** Replaces the index with a file's contents; a bad or other-model file changes nothing. */
  async import(source: string | Blob, options: OperationOptions = {}): Promise<void> {
    this.assertOpen();
    await this.committing(() => this.store.import(source, options));
    this.compression.whenDue();
  }

  /** What runs and what searches cover now: the counts are those of the generation the scorer holds. */
  async info(): Promise<Omit<SearchInfo, 'worker'>> {
    this.assertOpen();
    return this.scheduler.schedule('interactive', async () => {
      // A failed catch-up is reported here rather than thrown: info() is how an app finds out.
      await this.sync.now().catch(() => undefined);
      const stats = this.mirror.stats;
      const error = this.sync.error;
      return {
        encoder: this.encoder.backend,
        scorer: this.mirror.scorer.backend,
        queryVectors: { ...this.scoring.queryVectors },
        model: this.encoder.model,
        index: this.store.name,
        precision: this.mirror.precision,
        poolFactor: this.store.poolFactor,
        documents: stats.documents,
        tokens: stats.tokens,
        bytes: stats.bytes.total,
        nbits: stats.nbits,
        centroids: stats.centroids,
        bytesPerToken: stats.bytesPerToken,
        lastSearch: this.lastSearch,
        compressedScorer: stats.centroids > 0 ? this.mirror.compressed.placement.backend : null,
        keyword: { documents: this.mirror.keyword.documents, bytes: this.mirror.keyword.bytes },
        sync: { generation: this.mirror.generation, ...(error ? { error } : {}) },
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sync.close();
    // Training stops at its next pause (its tasks see `closed`); nothing half-done is committed.
    await this.compression.stop();
    // Let the step in flight finish so nothing is left half-applied in memory; queued steps then see `closed`.
    await this.scheduler.schedule('interactive', async () => {});
    this.mirror.dispose();
    await this.store.close();
    await this.encoderLease.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new ColbertError(ErrorCode.Closed, 'This search index was closed; open it again.');
  }

  /** A write as one background task: commit in the store, then take it into the mirror. */
  private async committing(write: () => Promise<unknown>): Promise<void> {
    await this.scheduler.schedule('background', async () => {
      this.assertOpen();
      await write();
      await this.sync.afterCommit();
    });
  }

  /** The model's ranking of the allowed documents: the query encoded and scored on the vectors and the codes. */
  private async semantic(query: string, options: ScoreOptions & { exact: boolean }): Promise<SemanticRanking> {
    const { explain, signal } = options;
    // The query stays on the GPU when the encoder, the scorer and the compressed copies share onnxruntime's device.
    // Explaining compressed hits decodes their tokens on the CPU: that needs the query there.
    const onGpu = this.scoring.queryOnGpu && !(explain && this.mirror.compressed.documents > 0);
    const encoded = await this.encoder.encodeQuery(query, { location: onGpu ? 'gpu-buffer' : 'cpu', ...(signal ? { signal } : {}) });
    try {
      const result = await this.scoring.score(query, encoded, options);
      this.lastSearch = result.report;
      return { scored: result.scored, query: { tokens: encoded.tokens, kinds: queryTokenKinds(encoded.ids, this.encoder.tokenizer) } };
    } finally {
      if (encoded.location === 'gpu-buffer') encoded.dispose();
    }
  }
}

/** Engines of one worker share an encoder when they load the same model URL the same way; in-memory files never. */
let unshared = 0;
function encoderKey(source: ModelSource, load: Record<string, unknown>): string {
  if (typeof source !== 'string') return `files#${unshared++}`;
  const { backend = 'auto', threads, maxBatchTokens, cache, weights, int8Compute } = load;
  return JSON.stringify({ source, backend, threads, maxBatchTokens, cache, weights, int8Compute });
}

/** Each encoder's model identity, hashed once: engines that share an encoder do not fetch its files again. */
const identities = new WeakMap<Encoder, Promise<ModelIdentity>>();
function identityOf(files: ModelFiles, encoder: Encoder): Promise<ModelIdentity> {
  let identity = identities.get(encoder);
  if (!identity) {
    identity = modelIdentity(files, encoder.checkpoint);
    identities.set(encoder, identity);
    identity.catch(() => identities.delete(encoder));
  }
  return identity;
}

async function openStore(index: string, files: ModelFiles, encoder: Encoder, options: { precision?: OpenSearchOptions['precision']; poolFactor?: number; nbits?: 2 | 4; signal?: AbortSignal }): Promise<IndexStore> {
  const identity = await identityOf(files, encoder);
  return openIndexStore(index, { identity, ...options });
}
