import { ColbertError, ErrorCode } from '../errors.js';
import type { MetadataFilter, SearchOptions } from '../protocol/search-api.js';

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject} ${message}`, { subject });
}

export function validateSearchOptions(query: string, options: SearchOptions): { k: number; explain: boolean; filter: MetadataFilter | undefined } {
  if (typeof query !== 'string' || query.trim() === '') throw invalid('query', 'must be a non-empty string.');
  const k = options.k ?? 10;
  if (!Number.isSafeInteger(k) || k < 0) throw invalid('k', `must be a non-negative integer (got ${String(k)}).`);
  return { k, explain: options.explain ?? false, filter: options.filter };
}
