import { ColbertError, ErrorCode } from '../errors.js';
import type { Encoder } from '../model/encoder.js';
import { webGpuDevice } from '../model/ort-session.js';
import type { EncodedQuery, EncodedText } from '../model/prepared.js';
import type { GpuQuery } from '../gpu/query-buffers.js';
import type { WebGpuScorer } from '../gpu/webgpu-scorer.js';
import type { SearchInfo } from '../protocol/search-api.js';
import { compareScored, type ScoredDocument, type ScoreOptions } from '../scoring/scorer.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import type { IndexMirror } from './index-mirror.js';

/** One search over everything the mirror holds: the hits and what `info().lastSearch` reports of it. */
export interface MirrorScores {
  readonly scored: ScoredDocument[];
  readonly report: NonNullable<SearchInfo['lastSearch']>;
}

/**
 * Scores a query over what the mirror holds, the scorer's vectors and the compressed corpora, wherever they are
 * (see `CompressedPlacement`). The query stays on the GPU when the encoder's outputs are on the device that both
 * the WebGPU scorer and the compressed copies use; otherwise it is read back. If that device is lost (BACKEND_FAILED
 * from any GPU part), the mirror is rebuilt on the CPU from IndexedDB, the query encoded again, and the search run
 * again: the answer is the same.
 */
export class MirrorScoring {
  /** Searches scored, by where their query vectors came from (see `SearchInfo.queryVectors`). */
  readonly queryVectors = { cpu: 0, gpu: 0 };

  constructor(
    private readonly mirror: IndexMirror,
    private readonly encoder: () => Encoder,
  ) {}

  /** Whether a query may be encoded into a GPU buffer: every part it is scored on is on the encoder's device. */
  get queryOnGpu(): boolean {
    return this.scorerOnEncoderDevice() !== undefined && (this.mirror.compressed.documents === 0 || this.mirror.compressed.placement.device === webGpuDevice());
  }

  async score(text: string, encoded: EncodedQuery, options: ScoreOptions & { exact: boolean }): Promise<MirrorScores> {
    try {
      return await this.scoreOnce(encoded, options);
    } catch (error) {
      // Compressed copies are only ever on the WebGPU scorer's device: a failure there is that scorer's device too.
      if (!(error instanceof ColbertError) || error.code !== ErrorCode.BackendFailed || this.mirror.scorer.backend !== 'webgpu') throw error;
      await this.mirror.reload(undefined, { onCpu: true });
      // A query left on the lost device is gone: encode it again (the encoder is on WASM by now).
      const query = encoded.location === 'cpu' ? encoded : await this.encoder().encodeQuery(text, { location: 'cpu', ...(options.signal ? { signal: options.signal } : {}) });
      return this.scoreOnce(query, options);
    }
  }

  private async scoreOnce(encoded: EncodedQuery, options: ScoreOptions & { exact: boolean }): Promise<MirrorScores> {
    const { scorer, compressed } = this.mirror;
    const query: F32TokenMatrix | GpuQuery =
      encoded.location === 'gpu-buffer' ? { buffer: encoded.buffer, offset: encoded.offset, rows: encoded.rows, dim: encoded.dim } : asMatrix(encoded);
    const { exact, ...scoreOptions } = options;
    const vectors = compressed.documents === 0 || scorer.documents > 0 ? await this.scoreVectors(query, scoreOptions) : [];
    let result: MirrorScores = { scored: vectors, report: { pruned: false, candidates: scorer.documents, scored: scorer.documents } };
    if (compressed.documents > 0) {
      const { hits, report } = await compressed.search(query, { ...scoreOptions, exact });
      let scored = [...vectors, ...hits].sort(compareScored).slice(0, options.k);
      // Compressed hits are explained after the search, on their decoded tokens (the engine keeps such queries on the CPU).
      if (options.explain && !('buffer' in query)) scored = scored.map((s) => (s.matches ? s : { ...s, matches: compressed.matches(s.seq, query) ?? [] }));
      result = { scored, report: { ...report, candidates: report.candidates + scorer.documents, scored: report.scored + scorer.documents } };
    }
    this.queryVectors[encoded.location === 'gpu-buffer' ? 'gpu' : 'cpu']++;
    return result;
  }

  /** The scorer's vectors: a GPU query only on the WebGPU scorer that shares its device. */
  private scoreVectors(query: F32TokenMatrix | GpuQuery, options: ScoreOptions): Promise<ScoredDocument[]> {
    if (!('buffer' in query)) return this.mirror.scorer.score(query, options);
    const scorer = this.scorerOnEncoderDevice();
    if (!scorer) throw new ColbertError(ErrorCode.BackendFailed, 'The query vectors are on a GPU device the scorer does not use; search again.', { subject: 'device' });
    return scorer.score(query, options);
  }

  /** The WebGPU scorer when it runs on the device the encoder's outputs are on, so a query can go GPU→GPU. */
  private scorerOnEncoderDevice(): WebGpuScorer | undefined {
    const device = webGpuDevice();
    const scorer = this.mirror.scorer;
    if (scorer.backend !== 'webgpu' || this.encoder().backend.name !== 'webgpu' || !device) return undefined;
    return (scorer as WebGpuScorer).device === device ? (scorer as WebGpuScorer) : undefined;
  }
}

export function asMatrix(encoded: Pick<EncodedText, 'dim' | 'rows' | 'vectors'>): F32TokenMatrix {
  return { precision: 'f32', dim: encoded.dim, rows: encoded.rows, values: encoded.vectors };
}
