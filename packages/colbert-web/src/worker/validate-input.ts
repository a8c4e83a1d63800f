import { ColbertError, ErrorCode } from '../errors.js';
import type { MetadataFilter, SearchOptions } from '../protocol/search-api.js';

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject} ${message}`, { subject });
}

export function validateSearchOptions(query: string, options: SearchOptions): { k: number; explain: boolean; exact: boolean; filter: MetadataFilter | undefined } {
  if (typeof query !== 'string' || query.trim() === '') throw invalid('query', 'must be a non-empty string.');
  const k = options.k ?? 10;
  if (!Number.isSafeInteger(k) || k < 0) throw invalid('k', `must be a non-negative integer (got ${String(k)}).`);
  const exact = options.exact ?? false;
  if (typeof exact !== 'boolean') throw invalid('exact', `must be a boolean (got ${String(exact)}).`);
  return { k, explain: options.explain ?? false, exact, filter: options.filter };
}
