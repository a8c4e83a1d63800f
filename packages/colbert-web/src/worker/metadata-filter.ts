import { ColbertError, ErrorCode } from '../errors.js';
import type { Metadata, MetadataFilter, MetadataValue } from '../protocol/search-api.js';

/**
 * A filter → a predicate on a document's metadata. Every key must match: equality with a scalar, or
 * membership in an array of scalars; a document without the key does not match. Validated at the boundary.
 *
 * @example
 * const keep = compileFilter({ lang: 'en', year: [2020, 2021] });
 * keep({ lang: 'en', year: 2021 }); // true
 */
export function compileFilter(filter: MetadataFilter): (metadata: Metadata | undefined) => boolean {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new ColbertError(ErrorCode.InvalidInput, 'filter must be an object of metadata keys to values.', { subject: 'filter' });
  }
  const clauses = Object.entries(filter).map(([key, wanted]) => {
    const values: readonly unknown[] = Array.isArray(wanted) ? wanted : [wanted];
    values.forEach((value, i) => {
      if (!isScalar(value)) {
        const subject = Array.isArray(wanted) ? `filter.${key}[${i}]` : `filter.${key}`;
        throw new ColbertError(ErrorCode.InvalidInput, `${subject} must be a string, number, boolean or null.`, { subject });
      }
    });
    return { key, values: new Set(values) };
  });
  return (metadata) =>
    clauses.every(({ key, values }) => metadata !== undefined && Object.hasOwn(metadata, key) && values.has(metadata[key]));
}

function isScalar(value: unknown): value is MetadataValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
