/**
 * The BM25 baseline's tokenisation, modelled on Lucene's EnglishAnalyzer (what BEIR's Elasticsearch BM25 and
 * Pyserini run): Unicode word segmentation, lowercasing, English possessive removal, Lucene's 33 English stop
 * words, Porter stemming. It is an approximation of Lucene's StandardTokenizer (UAX #29), close enough for a
 * baseline: letters and digits form words; an apostrophe or a period between two word characters keeps them
 * together ("don't", "u.s", "2.5"); a comma between digits too ("1,000"); everything else separates.
 */
import { stemmer } from 'stemmer';

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(' '),
);

const WORD = /[\p{L}\p{M}\p{N}_]+(?:(?:['\u2019.]|(?<=\p{N}),(?=\p{N}))[\p{L}\p{M}\p{N}_]+)*/gu;

/** A term of a text with the [start, end) UTF-16 offsets of the word it was analysed from. */
export interface TermSpan {
  readonly term: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Terms of `text` with where their words are (for keyword highlights), in order, repeats kept.
 *
 * @example
 * analyzeSpans('Cats chase'); // [{ term: 'cat', start: 0, end: 4 }, { term: 'chase', start: 5, end: 10 }]
 */
export function analyzeSpans(text: string): TermSpan[] {
  const terms: TermSpan[] = [];
  // Lowercasing can change a string's length (U+0130 İ → "i̇"): match on the original text (the pattern is
  // caseless) and lowercase each word, so offsets point into `text` itself.
  for (const match of text.matchAll(WORD)) {
    // EnglishPossessiveFilter: a trailing 's goes.
    const word = match[0].toLowerCase().replace(/['\u2019]s$/, '');
    if (word === '' || STOP_WORDS.has(word)) continue;
    // Lucene's PorterStemFilter stems every token; suffix rules never fire on digits, so numbers pass unchanged.
    terms.push({ term: stemmer(word), start: match.index, end: match.index + match[0].length });
  }
  return terms;
}

/**
 * Terms of `text` for BM25, in order (repeats kept: they are term frequencies).
 *
 * @example
 * analyze("The cell's 2.5-fold increases"); // ['cell', '2.5', 'fold', 'increas']
 */
export function analyze(text: string): string[] {
  return analyzeSpans(text).map((t) => t.term);
}
