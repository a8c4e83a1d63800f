import { ColbertError, ErrorCode } from '../errors.js';
import type { MetadataFilter, SearchMode, SearchOptions } from '../protocol/search-api.js';

const MODES: readonly SearchMode[] = ['semantic', 'keyword', 'hybrid'];
const FUSIONS = ['rrf', 'weighted'] as const;

export interface ValidSearchOptions {
  k: number;
  explain: boolean;
  exact: boolean;
  filter: MetadataFilter | undefined;
  mode: SearchMode;
  fusion: (typeof FUSIONS)[number];
  semanticWeight: number;
}

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject} ${message}`, { subject });
}

export function validateSearchOptions(query: string, options: SearchOptions): ValidSearchOptions {
  if (typeof query !== 'string' || query.trim() === '') throw invalid('query', 'must be a non-empty string.');
  const k = options.k ?? 10;
  if (!Number.isSafeInteger(k) || k < 0) throw invalid('k', `must be a non-negative integer (got ${String(k)}).`);
  const exact = options.exact ?? false;
  if (typeof exact !== 'boolean') throw invalid('exact', `must be a boolean (got ${String(exact)}).`);
  const { mode = 'semantic', fusion = 'rrf', semanticWeight = 0.5 } = options;
  if (!MODES.includes(mode)) throw invalid('mode', `must be 'semantic', 'keyword' or 'hybrid' (got ${JSON.stringify(mode)}).`);
  if (!FUSIONS.includes(fusion)) throw invalid('fusion', `must be 'rrf' or 'weighted' (got ${JSON.stringify(fusion)}).`);
  if (typeof semanticWeight !== 'number' || !(semanticWeight >= 0 && semanticWeight <= 1)) throw invalid('semanticWeight', `must be a number in [0, 1] (got ${String(semanticWeight)}).`);
  return { k, explain: options.explain ?? false, exact, filter: options.filter, mode, fusion, semanticWeight };
}
