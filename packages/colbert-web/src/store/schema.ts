/**
 * The IndexedDB layout of one index, typed, with every schema upgrade in `upgrade` below.
 *
 * We use `idb` (jakearchibald/idb, ~1 kB, maintained by a Chrome engineer and used by Workbox) rather than raw
 * IndexedDB: it types stores and indexes through one `DBSchema`, turns requests into promises without the
 * "transaction committed across an await" traps of hand-written wrappers, and exposes blocked / blocking /
 * terminated as callbacks.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import type { DocumentRecord, Manifest, StoredSegment, TablesRecord } from './records.js';

/** Bump with a new `if (oldVersion < N)` step in `upgrade`; never edit an old step. */
export const SCHEMA_VERSION = 2;

export interface IndexSchema extends DBSchema {
  manifest: { key: 'manifest'; value: Manifest };
  segments: { key: number; value: StoredSegment };
  /** Version 2: the shared tables of compressed indexes. */
  tables: { key: number; value: TablesRecord };
  documents: { key: number; value: DocumentRecord; indexes: { id: string } };
}

export type IndexDb = IDBPDatabase<IndexSchema>;

/** The IndexedDB database name of an index. */
export function databaseName(index: string): string {
  return `colbert-web/index/${index}`;
}

export interface ConnectionEvents {
  /** Another connection wants a newer schema: we closed ours so it can proceed. */
  onVersionChange(): void;
  /** The browser closed the connection (storage cleared, disk error). */
  onTerminated(): void;
}

/**
 * Opens (creating or upgrading) an index database. On `blocking` we close at once: an upgrade in another tab
 * must never wait on us; the store reopens lazily on its next call.
 */
export async function openIndexDb(index: string, events: ConnectionEvents): Promise<IndexDb> {
  let db: IndexDb | undefined;
  db = await openDB<IndexSchema>(databaseName(index), SCHEMA_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('manifest');
        database.createObjectStore('segments', { keyPath: 'id' });
        const documents = database.createObjectStore('documents', { keyPath: 'seq' });
        documents.createIndex('id', 'id', { unique: false });
      }
      if (oldVersion < 2) database.createObjectStore('tables', { keyPath: 'id' });
    },
    // blocked: an older connection elsewhere has not closed yet. Every store closes on `blocking`, so this
    // only lasts until that tab's event loop runs; openDB resolves by itself then.
    blocking() {
      db?.close();
      events.onVersionChange();
    },
    terminated() {
      events.onTerminated();
    },
  });
  return db;
}
