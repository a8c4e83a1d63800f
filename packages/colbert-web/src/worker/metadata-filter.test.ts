import { describe, expect, it } from 'vitest';
import { ColbertError } from '../errors.js';
import { compileFilter } from './metadata-filter.js';

describe('compileFilter', () => {
  it('matches equality and set membership on every key; a missing key never matches', () => {
    const keep = compileFilter({ lang: 'en', year: [2020, 2021], draft: false });
    expect(keep({ lang: 'en', year: 2021, draft: false })).toBe(true);
    expect(keep({ lang: 'en', year: 2019, draft: false })).toBe(false);
    expect(keep({ lang: 'fr', year: 2020, draft: false })).toBe(false);
    expect(keep({ lang: 'en', year: 2020 })).toBe(false);
    expect(keep(undefined)).toBe(false);
    expect(compileFilter({})(undefined)).toBe(true);
    expect(compileFilter({ tag: null })({ tag: null })).toBe(true);
    expect(compileFilter({ year: 2020 })({ year: '2020' })).toBe(false);
  });

  it('rejects non-scalar values with the field named', () => {
    expect(() => compileFilter({ a: [{ b: 1 }] as never })).toThrowError(ColbertError);
    expect(() => compileFilter({ a: [1, { b: 1 }] as never })).toThrowError(/filter\.a\[1\] must be a string/);
    expect(() => compileFilter(null as never)).toThrowError(/filter must be an object/);
  });

  it('matches scalar metadata values only: an array value is stored and returned but matches no filter', () => {
    expect(compileFilter({ tags: 'a' })({ tags: ['a', 'b'] })).toBe(false);
    expect(compileFilter({ tags: ['a'] })({ tags: ['a'] })).toBe(false);
  });
});
