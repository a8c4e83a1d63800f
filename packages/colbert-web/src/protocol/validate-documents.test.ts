import { describe, expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentInput } from './search-api.js';
import { validateDocuments } from './validate-documents.js';

/** The ColbertError `validateDocuments` throws for these documents. */
function rejection(documents: readonly unknown[]): ColbertError {
  try {
    validateDocuments(documents as DocumentInput[]);
  } catch (error) {
    if (error instanceof ColbertError) return error;
    throw error;
  }
  throw new Error('validateDocuments accepted the documents');
}

describe('validateDocuments', () => {
  it('keeps scalar and scalar-array metadata as given, and the last of two documents with one id', () => {
    const metadata = { lang: 'en', year: 2021, draft: false, editor: null, tags: ['a', 'b'], scores: [1, 2.5] };
    const docs = validateDocuments([
      { id: 'a', text: 'first' },
      { id: 'b', text: 'b', metadata },
      { id: 'a', text: 'second', metadata: {} },
    ]);
    expect(docs).toEqual([
      { id: 'b', text: 'b', metadata: { lang: 'en', year: 2021, draft: false, editor: null, tags: ['a', 'b'], scores: [1, 2.5] } },
      { id: 'a', text: 'second', metadata: {} },
    ]);
  });

  it.each([
    ['a nested object', { where: { city: 'Oslo' } }, 'documents[1].metadata.where', 'an object'],
    ['a Date', { when: new Date(0) }, 'documents[1].metadata.when', 'a Date'],
    ['a function', { f: () => 1 }, 'documents[1].metadata.f', 'a function'],
    ['NaN', { n: Number.NaN }, 'documents[1].metadata.n', 'NaN'],
    ['Infinity', { n: Number.POSITIVE_INFINITY }, 'documents[1].metadata.n', 'Infinity'],
    ['undefined', { u: undefined }, 'documents[1].metadata.u', 'undefined'],
    ['a bigint', { b: 1n }, 'documents[1].metadata.b', 'a bigint'],
    ['an object inside an array', { tags: ['a', { b: 1 }] }, 'documents[1].metadata.tags[1]', 'an object'],
    ['a nested array', { tags: [['a']] }, 'documents[1].metadata.tags[0]', 'an array'],
  ])('rejects %s with INVALID_INPUT naming the field', (_, metadata, subject, got) => {
    const error = rejection([{ id: 'ok', text: 'fine' }, { id: 'x', text: 'x', metadata }]);
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.message).toBe(`${subject} must be a string, a finite number, a boolean, null or an array of those (got ${got}).`);
  });

  it.each([
    ['a Map', new Map([['a', 1]]), 'a Map'],
    ['an array', ['a'], 'an array'],
    ['a string', 'en', 'a string'],
    ['null', null, 'null'],
  ])('rejects metadata that is %s, not a plain object', (_, metadata, got) => {
    const error = rejection([{ id: 'x', text: 'x', metadata }]);
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.message).toBe(`documents[0].metadata must be a plain object of keys to values when given (got ${got}).`);
  });

  it('names a bad id or text', () => {
    expect(rejection([{ id: '', text: 'x' }]).message).toBe('documents[0].id must be a non-empty string.');
    expect(rejection([{ id: 'a', text: 3 }]).message).toBe('documents[0].text must be a string.');
  });
});
