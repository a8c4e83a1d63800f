import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentInput, MetadataFilter, SearchOptions } from '../protocol/search-api.js';

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject} ${message}`, { subject });
}

/**
 * Checks documents at the boundary, naming the offending field (`documents[3].id`). A later document with the
 * same id as an earlier one in the same call replaces it, as a later add() would.
 */
export function validateDocuments(documents: readonly DocumentInput[]): DocumentInput[] {
  if (!Array.isArray(documents)) throw invalid('documents', 'must be an array of { id, text, metadata? }.');
  const byId = new Map<string, DocumentInput>();
  documents.forEach((doc: unknown, i) => {
    const d = doc as Partial<DocumentInput> | null;
    if (typeof d !== 'object' || d === null) throw invalid(`documents[${i}]`, 'must be an object { id, text, metadata? }.');
    if (typeof d.id !== 'string' || d.id === '') throw invalid(`documents[${i}].id`, 'must be a non-empty string.');
    if (typeof d.text !== 'string') throw invalid(`documents[${i}].text`, 'must be a string.');
    if (d.metadata !== undefined && (typeof d.metadata !== 'object' || d.metadata === null || Array.isArray(d.metadata))) {
      throw invalid(`documents[${i}].metadata`, 'must be a plain object when given.');
    }
    byId.delete(d.id);
    byId.set(d.id, { id: d.id, text: d.text, ...(d.metadata ? { metadata: d.metadata } : {}) });
  });
  return [...byId.values()];
}

export function validateSearchOptions(query: string, options: SearchOptions): { k: number; explain: boolean; filter: MetadataFilter | undefined } {
  if (typeof query !== 'string' || query.trim() === '') throw invalid('query', 'must be a non-empty string.');
  const k = options.k ?? 10;
  if (!Number.isSafeInteger(k) || k < 0) throw invalid('k', `must be a non-negative integer (got ${String(k)}).`);
  return { k, explain: options.explain ?? false, filter: options.filter };
}
