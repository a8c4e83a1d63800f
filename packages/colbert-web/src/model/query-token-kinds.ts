import type { ColbertTokenizer } from './tokenizer.js';
import type { QueryTokenKind } from '../protocol/search-api.js';

/**
 * What each row of an encoded query is, from its token ids and the template colbert-prep builds:
 * [CLS] + query prefix, the text's tokens, [SEP], then the [MASK] expansion rows up to query_length. The
 * expansion is the trailing run of mask ids (a literal "[MASK]" typed in the query comes before [SEP], so it stays
 * a word).
 *
 * @example
 * queryTokenKinds(encoded.ids, tokenizer); // ['special', 'special', 'word', 'word', 'special', 'expansion', …]
 */
export function queryTokenKinds(ids: Int32Array, tokenizer: Pick<ColbertTokenizer, 'leadingSpecials' | 'trailingSpecials' | 'queryPrefixIds' | 'maskId'>): QueryTokenKind[] {
  let expansionStart = ids.length;
  while (tokenizer.maskId !== undefined && expansionStart > 0 && ids[expansionStart - 1] === tokenizer.maskId) expansionStart--;
  const head = tokenizer.leadingSpecials + tokenizer.queryPrefixIds.length;
  const textEnd = expansionStart - tokenizer.trailingSpecials;
  return Array.from(ids, (_, i) => (i >= expansionStart ? 'expansion' : i < head || i >= textEnd ? 'special' : 'word'));
}
