import { describe, expect, it } from 'vitest';
import { DocumentTable } from './document-table.js';

describe('DocumentTable', () => {
  it('upserts by id, deletes by id, filters by metadata', () => {
    const table = new DocumentTable();
    expect(table.set(0, 'a', { lang: 'en' })).toBeUndefined();
    expect(table.set(1, 'b', { lang: 'fr' })).toBeUndefined();
    expect(table.set(2, 'a', { lang: 'fr' })).toBe(0);
    expect(table.size).toBe(2);
    expect(table.seqOf('a')).toBe(2);
    expect(Array.from(table.matching((m) => m?.['lang'] === 'fr'))).toEqual([1, 2]);
    expect(table.delete(['b', 'missing'])).toEqual([1]);
    expect(Array.from(table.matching(() => true))).toEqual([2]);
  });
});
