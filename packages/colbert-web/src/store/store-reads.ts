import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import type { Metadata } from '../protocol/search-api.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import { verifyDocumentRecord } from './document-record.js';
import { isTombstoned } from './manifest.js';
import type { Manifest, SegmentEntry } from './records.js';
import { segmentToBatch } from './segment-record.js';
import { storageError } from './storage-errors.js';
import { planSync } from './sync-plan.js';
import type { HeldIndex, SyncPlan } from './sync-plan.js';
import type { StoreContext } from './store-context.js';

/** Everything a scorer needs, as committed at `generation`. */
export interface LoadedIndex {
  readonly generation: number;
  readonly precision: StoredPrecision;
  readonly dim: number;
  /** Every segment the manifest lists: what a reader holds once it has applied this. */
  readonly segments: readonly SegmentEntry[];
  /** One batch per loaded segment, sequence numbers strictly increasing across them. */
  readonly batches: DocumentBatch[];
  /** Documents inside the segments that are removed or replaced: the scorer's `remove(tombstones)`. */
  readonly tombstones: Uint32Array;
  /** Counts and bytes as of `generation` (what a reader that applied this can search). */
  readonly stats: IndexStats;
}

/**
 * What changed since a held view (see `planSync`): nothing; everything, loaded again; or a delta whose `batches`
 * are the new segments only, with the held segments that vanished and which of their documents live on in the
 * segments that replaced them (compaction).
 */
export type IndexChanges =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'reload'; readonly index: LoadedIndex }
  | { readonly kind: 'delta'; readonly index: LoadedIndex; readonly vanished: readonly SegmentEntry[]; readonly survivors: ReadonlySet<number> };

/** A stored document as a hit shows it. */
export interface StoredDocument {
  readonly seq: number;
  readonly id: string;
  readonly text: string | undefined;
  readonly metadata: Metadata | undefined;
  readonly truncated: boolean;
  /** [start, end) UTF-16 offsets per token, 2 per token; -1, -1 for special tokens. */
  readonly spans: Int32Array;
  readonly tokenIds: Int32Array;
  /** Pooled indexes: per token, the row (pooled vector) it belongs to. */
  readonly tokenRows?: Int32Array;
}

export interface IndexStats {
  /** Live documents. */
  readonly documents: number;
  /** Token rows of the live documents. */
  readonly tokens: number;
  readonly segments: number;
  /** Removed or replaced documents still occupying segments (compaction frees them). */
  readonly tombstones: number;
  readonly precision: StoredPrecision;
  /** Logical bytes of this index by section (IndexedDB's own overhead not included). */
  readonly bytes: { readonly vectors: number; readonly spans: number; readonly records: number; readonly total: number };
}

/** Reads the manifest and the listed segments in one read transaction: a consistent snapshot, one read each. */
async function readSegments(ctx: StoreContext, pick: (m: Manifest) => readonly SegmentEntry[]): Promise<{ m: Manifest; batches: DocumentBatch[]; picked: readonly SegmentEntry[] }> {
  const db = await ctx.db();
  let m: Manifest | undefined;
  let picked: readonly SegmentEntry[] = [];
  let records;
  try {
    const tx = db.transaction(['manifest', 'segments'], 'readonly');
    m = await tx.objectStore('manifest').get('manifest');
    if (m) {
      picked = pick(m);
      const store = tx.objectStore('segments');
      records = await Promise.all(picked.map((s) => store.get(s.id)));
    }
    await tx.done;
  } catch (error) {
    throw storageError(error, `loading index "${ctx.index}"`);
  }
  if (!m || !records) throw new ColbertError(ErrorCode.IndexCorrupt, `Index "${ctx.index}" has no manifest (was its database deleted?). Open it again.`, { subject: ctx.index });
  const manifest = m;
  const batches = picked.map((s, i) =>
    segmentToBatch(records[i], { id: s.id, documents: s.documents, tokens: s.tokens, precision: manifest.precision, dim: manifest.identity.dim }, ctx.index, ctx.verify),
  );
  return { m: manifest, batches, picked };
}

function loaded(m: Manifest, batches: DocumentBatch[]): LoadedIndex {
  return { generation: m.generation, precision: m.precision, dim: m.identity.dim, segments: m.segments, batches, tombstones: m.tombstones.slice(), stats: statsOf(m) };
}

/** Every committed segment as a scorer batch, plus the tombstones. */
export async function loadIndex(ctx: StoreContext): Promise<LoadedIndex> {
  const { m, batches } = await readSegments(ctx, (manifest) => manifest.segments);
  return loaded(m, batches);
}

/**
 * What was committed since `held`, read in one transaction with the manifest: only new segments after adds, the
 * replacing segments' sequence numbers after a compaction, everything when the held view cannot be followed.
 */
export async function loadChanges(ctx: StoreContext, held: HeldIndex): Promise<IndexChanges> {
  let plan: SyncPlan = { kind: 'unchanged' };
  const { m, batches, picked } = await readSegments(ctx, (manifest) => {
    plan = planSync(held, manifest);
    if (plan.kind === 'unchanged') return [];
    return plan.kind === 'reload' ? manifest.segments : [...plan.append, ...plan.rewritten];
  });
  const settled = plan as SyncPlan;
  if (settled.kind === 'unchanged') return settled;
  if (settled.kind === 'reload') return { kind: 'reload', index: loaded(m, batches) };
  const fresh = new Set(settled.append.map((s) => s.id));
  const survivors = new Set<number>();
  batches.forEach((b, i) => {
    if (!fresh.has(picked[i]!.id)) for (const seq of b.seqs) survivors.add(seq);
  });
  return { kind: 'delta', index: loaded(m, batches.filter((_, i) => fresh.has(picked[i]!.id))), vanished: settled.vanished, survivors };
}

/** Hit details for sequence numbers, in order; undefined where a seq is unknown or removed. */
export async function readDocuments(ctx: StoreContext, seqs: ArrayLike<number>): Promise<(StoredDocument | undefined)[]> {
  const db = await ctx.db();
  const list = Array.from(seqs);
  let m: Manifest | undefined;
  let records;
  try {
    const tx = db.transaction(['manifest', 'documents'], 'readonly');
    m = await tx.objectStore('manifest').get('manifest');
    const store = tx.objectStore('documents');
    records = await Promise.all(list.map(async (s) => (Number.isSafeInteger(s) && s >= 0 ? store.get(s) : undefined)));
    await tx.done;
  } catch (error) {
    throw storageError(error, `reading documents of index "${ctx.index}"`);
  }
  return records.map((r) => {
    if (!r || !m || r.seq >= m.nextSeq || isTombstoned(m.tombstones, r.seq)) return undefined;
    verifyDocumentRecord(r, ctx.index);
    return {
      seq: r.seq,
      id: r.id,
      text: r.text ?? undefined,
      metadata: r.metadata === null ? undefined : (JSON.parse(r.metadata) as Metadata),
      truncated: r.truncated,
      spans: r.spans,
      tokenIds: r.tokenIds,
      ...(r.tokenRows ? { tokenRows: r.tokenRows } : {}),
    };
  });
}

/** Counts and bytes from the manifest alone (no segment reads). */
export function statsOf(m: Manifest): IndexStats {
  const sum = (f: (s: SegmentEntry) => number): number => m.segments.reduce((n, s) => n + f(s), 0);
  const vectors = sum((s) => s.vectorBytes);
  const spans = sum((s) => s.spanBytes);
  const records = sum((s) => s.recordBytes);
  return {
    documents: sum((s) => s.documents) - m.tombstones.length,
    tokens: sum((s) => s.tokens) - m.tombstonedTokens,
    segments: m.segments.length,
    tombstones: m.tombstones.length,
    precision: m.precision,
    bytes: { vectors, spans, records, total: vectors + spans + records },
  };
}
