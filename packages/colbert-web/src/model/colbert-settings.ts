import { ColbertError, ErrorCode } from '../errors.js';

/** PyLate's ColBERT settings (config_sentence_transformers.json), with PyLate's defaults. */
export interface ColbertSettings {
  queryPrefix: string;
  documentPrefix: string;
  /** Query length including [CLS], prefix and [SEP]; queries are padded to it with [MASK] when expansion is on. */
  queryLength: number;
  /** Document length including [CLS], prefix and [SEP]. */
  documentLength: number;
  attendToExpansionTokens: boolean;
  doQueryExpansion: boolean;
  skiplistWords: string[];
}

export function readColbertSettings(json: Record<string, unknown>, file = 'config_sentence_transformers.json'): ColbertSettings {
  const str = (key: string, fallback: string): string => {
    const v = json[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string') throw invalid(file, key, 'a string');
    return v;
  };
  const int = (key: string, fallback: number): number => {
    const v = json[key];
    if (v === undefined || v === null) return fallback;
    if (!Number.isSafeInteger(v) || (v as number) < 4) throw invalid(file, key, 'an integer of at least 4');
    return v as number;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = json[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw invalid(file, key, 'a boolean');
    return v;
  };
  const skiplist = json['skiplist_words'] ?? [];
  if (!Array.isArray(skiplist) || !skiplist.every((w) => typeof w === 'string')) throw invalid(file, 'skiplist_words', 'a list of strings');
  return {
    queryPrefix: str('query_prefix', '[Q]'),
    documentPrefix: str('document_prefix', '[D]'),
    queryLength: int('query_length', 32),
    documentLength: int('document_length', 180),
    attendToExpansionTokens: bool('attend_to_expansion_tokens', false),
    doQueryExpansion: bool('do_query_expansion', true),
    skiplistWords: skiplist as string[],
  };
}

function invalid(file: string, field: string, expected: string): ColbertError {
  return new ColbertError(ErrorCode.ModelFileCorrupt, `${file}: "${field}" must be ${expected}.`, { subject: `${file}:${field}` });
}
