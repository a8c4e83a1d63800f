import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentInput, Metadata } from './search-api.js';

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject} ${message}`, { subject });
}

/** What a value is, for a message: `a Date`, `a function`, `an object`, `an array`, `NaN`. */
function describe(value: unknown): string {
  if (typeof value === 'number' || value === undefined || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isMetadataScalar(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Metadata is stored as JSON and filtered by value, so it holds exactly what JSON round-trips: per key a string, a
 * finite number, a boolean, null, or an array of those. Anything else (a nested object, a Date, a Map, a
 * function, NaN) would be silently changed by storage or fail to cross to the worker, so it is rejected here with
 * the field named (`documents[3].metadata.when`, `subject` being `documents[3].metadata`).
 *
 * @example
 * validateMetadata({ lang: 'en', tags: ['a', 'b'] }, 'metadata'); // returns it, typed
 */
export function validateMetadata(metadata: unknown, subject: string): Metadata {
  if (!isPlainObject(metadata)) throw invalid(subject, `must be a plain object of keys to values when given (got ${describe(metadata)}).`);
  for (const [key, value] of Object.entries(metadata)) {
    const field = `${subject}.${key}`;
    const items: readonly unknown[] = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      if (isMetadataScalar(item)) return;
      const at = Array.isArray(value) ? `${field}[${i}]` : field;
      throw invalid(at, `must be a string, a finite number, a boolean, null or an array of those (got ${describe(item)}).`);
    });
  }
  return metadata as Metadata;
}

/**
 * Checks documents at the boundary, naming the offending field (`documents[3].id`): on the main thread before
 * they are posted to the worker (so a bad value is a `ColbertError`, not a `DataCloneError`), and again in the
 * worker, which other clients can reach. A later document with the same id as an earlier one in the same call
 * replaces it, as a later add() would.
 *
 * @example
 * validateDocuments([{ id: 'a', text: 'hello', metadata: { when: new Date() } }]);
 * // throws ColbertError INVALID_INPUT: documents[0].metadata.when must be a string, a finite number, … (got a Date).
 */
export function validateDocuments(documents: readonly DocumentInput[], subject = 'documents'): DocumentInput[] {
  if (!Array.isArray(documents)) throw invalid(subject, 'must be an array of { id, text, metadata? }.');
  const byId = new Map<string, DocumentInput>();
  documents.forEach((doc: unknown, i) => {
    const d = doc as Partial<DocumentInput> | null;
    if (typeof d !== 'object' || d === null) throw invalid(`${subject}[${i}]`, 'must be an object { id, text, metadata? }.');
    if (typeof d.id !== 'string' || d.id === '') throw invalid(`${subject}[${i}].id`, 'must be a non-empty string.');
    if (typeof d.text !== 'string') throw invalid(`${subject}[${i}].text`, 'must be a string.');
    const metadata = d.metadata === undefined ? undefined : validateMetadata(d.metadata, `${subject}[${i}].metadata`);
    byId.delete(d.id);
    byId.set(d.id, { id: d.id, text: d.text, ...(metadata ? { metadata } : {}) });
  });
  return [...byId.values()];
}
