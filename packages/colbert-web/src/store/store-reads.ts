import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import type { Metadata } from '../protocol/search-api.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import { verifyDocumentRecord } from './document-record.js';
import { isTombstoned } from './manifest.js';
import type { Manifest, SegmentEntry, TablesRecord } from './records.js';
import { codedSegmentToBatch, tablesFromRecord } from './coded-segment.js';
import type { CodedBatch, SharedTables } from './coded-segment.js';
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
  /** One batch per loaded segment holding vectors, sequence numbers strictly increasing across them. */
  readonly batches: DocumentBatch[];
  /** One batch per loaded compressed segment, in sequence-number order. */
  readonly coded: CodedBatch[];
  /** The tables the coded batches use, checked, by id. */
  readonly tables: ReadonlyMap<number, SharedTables>;
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
  | {
      readonly kind: 'delta';
      readonly index: LoadedIndex;
      readonly vanished: readonly SegmentEntry[];
      readonly survivors: ReadonlySet<number>;
      /** Replacing segments coded differently from what they replace: move their documents to these batches. */
      readonly recoded: LoadedIndex;
    };

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
  /** Residual bits of a compressing index; null: never compressed. */
  readonly nbits: number | null;
  /** Fine centroids of the current tables (0 until trained). */
  readonly centroids: number;
  /** The current tables record (null until trained): segments coded otherwise are what compression has left. */
  readonly tables: number | null;
  /** Live rows the current tables were trained on (0 until trained). */
  readonly trainedTokens: number;
  /** Stored rows (tombstoned ones included) held as codes and residuals; the rest are vectors. */
  readonly codedTokens: number;
  /** Vector bytes (values and scales, or codes and residuals, plus the shared tables) per stored row. */
  readonly bytesPerToken: number;
  /** Logical bytes of this index by section (IndexedDB's own overhead not included). */
  readonly bytes: { readonly vectors: number; readonly spans: number; readonly records: number; readonly total: number };
}

/** A loaded segment: vectors for the scorer, or codes for the corpus of its tables. */
type LoadedSegment = { readonly kind: 'vectors'; readonly batch: DocumentBatch } | { readonly kind: 'coded'; readonly batch: CodedBatch };

/**
 * Reads the manifest, the listed segments and the tables their codes use in one read transaction: a consistent
 * snapshot, one read each.
 */
async function readSegments(ctx: StoreContext, pick: (m: Manifest) => readonly SegmentEntry[]): Promise<{ m: Manifest; loadedSegments: LoadedSegment[]; tables: Map<number, SharedTables>; picked: readonly SegmentEntry[] }> {
  const db = await ctx.db();
  let m: Manifest | undefined;
  let picked: readonly SegmentEntry[] = [];
  let records;
  let tableRecords: (TablesRecord | undefined)[] = [];
  const tableIds: number[] = [];
  try {
    const tx = db.transaction(['manifest', 'segments', 'tables'], 'readonly');
    m = await tx.objectStore('manifest').get('manifest');
    if (m) {
      picked = pick(m);
      for (const s of picked) if (s.tables !== undefined && !tableIds.includes(s.tables)) tableIds.push(s.tables);
      const store = tx.objectStore('segments');
      const tablesStore = tx.objectStore('tables');
      [records, tableRecords] = await Promise.all([Promise.all(picked.map((s) => store.get(s.id))), Promise.all(tableIds.map((id) => tablesStore.get(id)))]);
    }
    await tx.done;
  } catch (error) {
    throw storageError(error, `loading index "${ctx.index}"`);
  }
  if (!m || !records) throw new ColbertError(ErrorCode.IndexCorrupt, `Index "${ctx.index}" has no manifest (was its database deleted?). Open it again.`, { subject: ctx.index });
  const manifest = m;
  const tables = new Map(tableIds.map((id, i) => [id, tablesFromRecord(tableRecords[i], id, ctx.index, ctx.verify)]));
  const loadedSegments = picked.map((s, i): LoadedSegment => {
    const expected = { id: s.id, documents: s.documents, tokens: s.tokens, precision: manifest.precision, dim: manifest.identity.dim };
    if (s.tables === undefined) return { kind: 'vectors', batch: segmentToBatch(records[i], expected, ctx.index, ctx.verify) };
    return { kind: 'coded', batch: codedSegmentToBatch(records[i], expected, tables.get(s.tables)!, ctx.index, ctx.verify) };
  });
  return { m: manifest, loadedSegments, tables, picked };
}

function loaded(m: Manifest, segments: readonly LoadedSegment[], tables: ReadonlyMap<number, SharedTables>): LoadedIndex {
  const batches: DocumentBatch[] = [];
  const coded: CodedBatch[] = [];
  for (const s of segments) {
    if (s.kind === 'vectors') batches.push(s.batch);
    else coded.push(s.batch);
  }
  return { generation: m.generation, precision: m.precision, dim: m.identity.dim, segments: m.segments, batches, coded, tables, tombstones: m.tombstones.slice(), stats: statsOf(m) };
}

/** Every committed segment as a scorer batch (or coded batch), plus the tombstones. */
export async function loadIndex(ctx: StoreContext): Promise<LoadedIndex> {
  const { m, loadedSegments, tables } = await readSegments(ctx, (manifest) => manifest.segments);
  return loaded(m, loadedSegments, tables);
}

/**
 * What was committed since `held`, read in one transaction with the manifest: only new segments after adds, the
 * replacing segments' sequence numbers after a compaction, everything when the held view cannot be followed. A
 * replacing segment coded differently from the ones it replaces (a conversion) comes back in `recoded`: its
 * documents move from one holder to the other.
 */
export async function loadChanges(ctx: StoreContext, held: HeldIndex): Promise<IndexChanges> {
  let plan: SyncPlan = { kind: 'unchanged' };
  const { m, loadedSegments, tables, picked } = await readSegments(ctx, (manifest) => {
    plan = planSync(held, manifest);
    if (plan.kind === 'unchanged') return [];
    return plan.kind === 'reload' ? manifest.segments : [...plan.append, ...plan.rewritten];
  });
  const settled = plan as SyncPlan;
  if (settled.kind === 'unchanged') return settled;
  if (settled.kind === 'reload') return { kind: 'reload', index: loaded(m, loadedSegments, tables) };
  const fresh = new Set(settled.append.map((s) => s.id));
  const survivors = new Set<number>();
  const recoded: LoadedSegment[] = [];
  loadedSegments.forEach((s, i) => {
    const entry = picked[i]!;
    if (fresh.has(entry.id)) return;
    for (const seq of s.batch.seqs) survivors.add(seq);
    const before = settled.vanished.find((v) => v.lastSeq >= entry.firstSeq && v.firstSeq <= entry.lastSeq);
    if (before && before.tables !== entry.tables) recoded.push(s);
  });
  return {
    kind: 'delta',
    index: loaded(m, loadedSegments.filter((_, i) => fresh.has(picked[i]!.id)), tables),
    vanished: settled.vanished,
    survivors,
    recoded: loaded(m, recoded, tables),
  };
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
  const vectors = sum((s) => s.vectorBytes) + (m.compression?.tableBytes ?? 0);
  const spans = sum((s) => s.spanBytes);
  const records = sum((s) => s.recordBytes);
  const rows = sum((s) => s.tokens);
  return {
    nbits: m.nbits ?? null,
    centroids: m.compression?.centroids ?? 0,
    tables: m.compression?.tables ?? null,
    trainedTokens: m.compression?.trainedTokens ?? 0,
    codedTokens: sum((s) => (s.tables === undefined ? 0 : s.tokens)),
    bytesPerToken: rows === 0 ? 0 : vectors / rows,
    documents: sum((s) => s.documents) - m.tombstones.length,
    tokens: sum((s) => s.tokens) - m.tombstonedTokens,
    segments: m.segments.length,
    tombstones: m.tombstones.length,
    precision: m.precision,
    bytes: { vectors, spans, records, total: vectors + spans + records },
  };
}
