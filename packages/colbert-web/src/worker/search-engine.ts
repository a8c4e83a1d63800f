import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { Encoder } from '../model/encoder.js';
import { filesFromSource, loadEncoder } from '../model/load-model.js';
import { webGpuDevice } from '../model/ort-session.js';
import type { EncodedQuery, EncodedText } from '../model/prepared.js';
import type { ModelSource } from '../protocol/encoder-api.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { AddOptions, DocumentInput, Hit, OpenSearchOptions, SearchApi, SearchInfo, SearchOptions, TokenSimilarities } from '../protocol/search-api.js';
import type { DocumentBatch, ScoredDocument, ScoreOptions, Scorer } from '../scoring/scorer.js';
import { storeTokens, type F32TokenMatrix } from '../scoring/token-matrix.js';
import type { WebGpuScorer } from '../gpu/webgpu-scorer.js';
import { openIndexStore, type IndexStore } from '../store/index-store.js';
import { modelIdentity } from '../store/model-identity.js';
import type { LoadedIndex } from '../store/store-reads.js';
import { validateDocuments, validateSearchOptions } from './validate-input.js';
import { DocumentTable } from './document-table.js';
import { toHits } from './hits.js';
import { compileFilter } from './metadata-filter.js';
import { Scheduler } from './scheduler.js';
import { createCpuScorer, createScorerFor } from './scorer-factory.js';
import { tokenSimilarities } from './similarities.js';

/** Documents encoded and committed per step of an add: a search waits at most for one such step. */
const DOCUMENTS_PER_STEP = 16;

/**
 * One index inside the worker: the encoder, the IndexedDB store and the scorer, with a scheduler that lets a
 * search overtake the queued steps of a long add.
 */
export class SearchEngine implements SearchApi {
  private readonly scheduler = new Scheduler();
  private readonly table = new DocumentTable();
  private segments: readonly number[] = [];
  private closed = false;
  /** Searches scored, by where their query vectors came from (see `SearchInfo.queryVectors`). */
  private readonly queryVectors = { cpu: 0, gpu: 0 };
  private unsubscribe: () => void = () => {};

  private constructor(
    private readonly encoder: Encoder,
    private readonly store: IndexStore,
    private scorer: Scorer,
  ) {}

  /** Loads the model, opens the index and fills the scorer from it. */
  static async open(source: ModelSource, options: Omit<OpenSearchOptions, 'model'>): Promise<SearchEngine> {
    const { index = 'default', precision, signal, ...load } = options;
    const files = filesFromSource(source, load);
    const encoder = await loadEncoder(files, { ...load, ...(signal ? { signal } : {}) });
    try {
      const identity = await modelIdentity(files, encoder.checkpoint);
      const store = await openIndexStore(index, { identity, ...(precision ? { precision } : {}), ...(signal ? { signal } : {}) });
      const shape = { dim: encoder.checkpoint.dim, precision: store.precision };
      const engine = new SearchEngine(encoder, store, await createScorerFor(encoder.backend, webGpuDevice(), shape));
      await engine.applyLoaded(await store.load());
      engine.unsubscribe = store.onChange(() => void engine.scheduler.schedule('background', () => engine.catchUp()));
      return engine;
    } catch (error) {
      await encoder.close();
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
        throwIfAborted(signal);
        const encoded = await this.encoder.encode(
          step.map((d) => ({ text: d.text, kind: 'document' as const })),
          { longDocuments, ...(signal ? { signal } : {}) },
        );
        throwIfAborted(signal);
        const { seqs } = await this.store.add(step.map((d, i) => ({ ...d, encoded: encoded[i]! })));
        await this.appendToScorer(encoded, seqs);
        const replaced = step.flatMap((d, i) => this.table.set(seqs[i]!, d.id, d.metadata) ?? []);
        this.scorer.remove(replaced);
      });
      done += step.length;
      onProgress?.({ phase: 'index', loaded: done, total: docs.length });
    }
  }

  async search(query: string, options: SearchOptions = {}): Promise<Hit[]> {
    this.assertOpen();
    const { k, explain, filter } = validateSearchOptions(query, options);
    const { signal } = options;
    return this.scheduler.schedule('interactive', async () => {
      throwIfAborted(signal);
      // The query stays on the GPU when the encoder and the scorer share onnxruntime's device; otherwise read back.
      const onGpu = this.scorerOnEncoderDevice() !== undefined;
      const encoded = await this.encoder.encodeQuery(query, { location: onGpu ? 'gpu-buffer' : 'cpu', ...(signal ? { signal } : {}) });
      let scored: ScoredDocument[];
      try {
        const only = filter ? this.table.matching(compileFilter(filter)) : undefined;
        scored = await this.scoreWithRecovery(query, encoded, { k, explain, ...(only ? { only } : {}) });
      } finally {
        if (encoded.location === 'gpu-buffer') encoded.dispose();
      }
      const documents = await this.store.documents(scored.map((s) => s.seq));
      return toHits(scored, documents, encoded, this.encoder.tokenizer);
    });
  }

  async similarities(query: string, id: string): Promise<TokenSimilarities> {
    this.assertOpen();
    validateSearchOptions(query, {});
    return this.scheduler.schedule('interactive', async () => {
      const seq = this.table.seqOf(id);
      const [doc] = seq === undefined ? [undefined] : await this.store.documents([seq]);
      if (!doc) throw new ColbertError(ErrorCode.InvalidInput, `No document with id "${id}" in this index.`, { subject: 'id' });
      const [encodedQuery, encodedDoc] = await this.encoder.encode([
        { text: query, kind: 'query' },
        { text: doc.text ?? '', kind: 'document' },
      ], { longDocuments: doc.truncated ? 'truncate' : 'split' });
      return tokenSimilarities(encodedQuery!, encodedDoc!);
    });
  }

  async remove(ids: readonly string[]): Promise<void> {
    this.assertOpen();
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw new ColbertError(ErrorCode.InvalidInput, 'ids must be an array of strings.', { subject: 'ids' });
    }
    await this.scheduler.schedule('background', async () => {
      await this.store.remove(ids);
      this.scorer.remove(this.table.delete(ids));
    });
  }

  async clear(): Promise<void> {
    this.assertOpen();
    await this.scheduler.schedule('background', async () => {
      await this.store.clear();
      await this.reload(await this.store.load());
    });
  }

  async compact(options: OperationOptions = {}): Promise<{ documentsPurged: number }> {
    this.assertOpen();
    const { signal, onProgress } = options;
    // The rewrite happens in IndexedDB under the store's write lock, outside the scheduler: searches score the
    // in-memory corpus and keep running. Only swapping the scorer's corpus for the compacted one is a task.
    const { documentsPurged } = await this.store.compact({
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress: (e: { loaded: number; total: number }) => onProgress({ phase: 'compact', loaded: e.loaded, total: e.total }) } : {}),
    });
    await this.scheduler.schedule('background', async () => this.reload(await this.store.load()));
    return { documentsPurged };
  }

  async export(): Promise<Blob> {
    this.assertOpen();
    return this.scheduler.schedule('background', () => this.store.export());
  }

  /** Replaces the index with a file's contents; a bad or other-model file changes nothing. */
  async import(source: string | Blob, options: OperationOptions = {}): Promise<void> {
    this.assertOpen();
    await this.scheduler.schedule('background', async () => {
      await this.store.import(source, options);
      await this.reload(await this.store.load());
    });
  }

  async info(): Promise<SearchInfo> {
    this.assertOpen();
    const stats = await this.store.stats();
    return {
      encoder: this.encoder.backend,
      scorer: this.scorer.backend,
      queryVectors: { ...this.queryVectors },
      model: this.encoder.model,
      index: this.store.name,
      precision: this.store.precision,
      documents: stats.documents,
      tokens: stats.tokens,
      bytes: stats.bytes.total,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    // Let the step in flight finish so nothing is left half-applied in memory; queued steps then see `closed`.
    await this.scheduler.schedule('interactive', async () => {});
    this.scorer.dispose();
    await this.store.close();
    await this.encoder.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ColbertError(ErrorCode.Closed, 'This search index was closed; open it again.');
  }

  /** The WebGPU scorer when it runs on the device the encoder's outputs are on, so a query can go GPU→GPU. */
  private scorerOnEncoderDevice(): WebGpuScorer | undefined {
    const device = webGpuDevice();
    if (this.scorer.backend !== 'webgpu' || this.encoder.backend.name !== 'webgpu' || !device) return undefined;
    const scorer = this.scorer as WebGpuScorer;
    return scorer.device === device ? scorer : undefined;
  }

  private async appendToScorer(encoded: readonly EncodedText[], seqs: Uint32Array): Promise<void> {
    const rows = encoded.reduce((n, e) => n + e.rows, 0);
    const values = new Float32Array(rows * this.scorer.dim);
    let at = 0;
    for (const e of encoded) {
      values.set(e.vectors, at);
      at += e.vectors.length;
    }
    const batch: DocumentBatch = {
      tokens: storeTokens(values, this.scorer.dim, this.scorer.precision),
      lengths: Uint32Array.from(encoded, (e) => e.rows),
      seqs,
    };
    await this.scorer.append(batch);
  }

  /**
   * Scores on the current scorer; if the GPU device is lost (BACKEND_FAILED from the WebGPU scorer), rebuilds the
   * corpus on the CPU scorer from IndexedDB and scores again, so the answer is the same.
   */
  private async scoreWithRecovery(text: string, encoded: EncodedQuery, options: ScoreOptions): Promise<ScoredDocument[]> {
    try {
      return await this.scoreOnce(encoded, options);
    } catch (error) {
      if (!(error instanceof ColbertError) || error.code !== ErrorCode.BackendFailed || this.scorer.backend !== 'webgpu') throw error;
      await this.reload(await this.store.load(), { onCpu: true });
      // A query left on the lost device is gone: encode it again (the encoder is on WASM by now).
      const query = encoded.location === 'cpu' ? encoded : await this.encoder.encodeQuery(text, { location: 'cpu', ...(options.signal ? { signal: options.signal } : {}) });
      return this.scoreOnce(query, options);
    }
  }

  /** Scores on the current scorer: a GPU query only on the WebGPU scorer that shares its device. */
  private async scoreOnce(encoded: EncodedQuery, options: ScoreOptions): Promise<ScoredDocument[]> {
    if (encoded.location === 'gpu-buffer') {
      const scorer = this.scorerOnEncoderDevice();
      if (!scorer) throw new ColbertError(ErrorCode.BackendFailed, 'The query vectors are on a GPU device the scorer does not use; search again.');
      const scored = await scorer.score({ buffer: encoded.buffer, offset: encoded.offset, rows: encoded.rows, dim: encoded.dim }, options);
      this.queryVectors.gpu++;
      return scored;
    }
    const scored = await this.scorer.score(asMatrix(encoded), options);
    this.queryVectors.cpu++;
    return scored;
  }

  /**
   * Replaces the scorer (on its backend, or on the CPU after a device loss) and the document table with what the
   * store holds.
   */
  private async reload(index: LoadedIndex, { onCpu = this.scorer.backend !== 'webgpu' } = {}): Promise<void> {
    // The store's precision, not the old scorer's: an imported file brings its own.
    const shape = { dim: this.scorer.dim, precision: this.store.precision };
    const fresh = await (onCpu ? createCpuScorer(shape) : createScorerFor(this.encoder.backend, webGpuDevice(), shape));
    this.scorer.dispose();
    this.scorer = fresh;
    this.table.clear();
    this.segments = [];
    await this.applyLoaded(index);
  }

  private async applyLoaded(index: LoadedIndex): Promise<void> {
    const dead = new Set(index.tombstones);
    for (const batch of index.batches) {
      await this.scorer.append(batch);
      const live = Array.from(batch.seqs).filter((s) => !dead.has(s));
      const docs = await this.store.documents(live);
      for (const d of docs) if (d) this.table.set(d.seq, d.id, d.metadata);
    }
    this.scorer.remove(index.tombstones);
    this.table.deleteSeqs(index.tombstones);
    this.segments = [...this.segments, ...index.segments];
  }

  /** Another tab committed: take its new segments, or everything after a compaction/clear/import. */
  private async catchUp(): Promise<void> {
    if (this.closed) return;
    const changes = await this.store.loadChanges({ segments: this.segments });
    if (changes.reset) return this.reload(changes.index);
    await this.applyLoaded(changes);
  }
}

function asMatrix(encoded: Pick<EncodedText, 'dim' | 'rows' | 'vectors'>): F32TokenMatrix {
  return { precision: 'f32', dim: encoded.dim, rows: encoded.rows, values: encoded.vectors };
}
