import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { queriesToEvaluate, readCorpus, readQrels, readQueries } from './beir-files.js';

async function folder(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'colbert-beir-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

const corpusLines = [
  '{"_id": "d1", "title": "Title one", "text": "Body one."}',
  '',
  '{"_id": 2, "title": "", "text": "Only body."}',
  '{"_id": "d3", "title": "Only title", "text": ""}',
].join('\n');

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('BEIR readers', () => {
  test('corpus: title + " " + text, plain or gzipped, numeric ids as strings, limit', async () => {
    const dir = await folder({ 'corpus.jsonl': corpusLines, 'corpus.jsonl.gz': gzipSync(corpusLines) });
    const expected = [
      { id: 'd1', text: 'Title one Body one.' },
      { id: '2', text: 'Only body.' },
      { id: 'd3', text: 'Only title' },
    ];
    expect(await collect(readCorpus(join(dir, 'corpus.jsonl')))).toEqual(expected);
    expect(await collect(readCorpus(join(dir, 'corpus.jsonl.gz')))).toEqual(expected);
    expect(await collect(readCorpus(join(dir, 'corpus.jsonl.gz'), { limit: 2 }))).toEqual(expected.slice(0, 2));
  });

  test('corpus errors name the file and line', async () => {
    const dir = await folder({ 'bad.jsonl': '{"_id": "a", "text": "x"}\nnot json\n', 'dup.jsonl': '{"_id": "a"}\n{"_id": "a"}\n' });
    await expect(collect(readCorpus(join(dir, 'bad.jsonl')))).rejects.toThrow(/bad\.jsonl:2: not valid JSON/);
    await expect(collect(readCorpus(join(dir, 'dup.jsonl')))).rejects.toThrow(/dup\.jsonl:2: document "a" appears twice/);
  });

  test('qrels: header skipped, folder + split or a file, grades kept', async () => {
    const dir = await folder({
      'qrels/test.tsv': 'query-id\tcorpus-id\tscore\n1\td1\t1\n1\td2\t2\n3\td3\t0\n',
      'qrels/train.tsv': '0\td9\t1\n',
      'queries.jsonl': '{"_id": "1", "text": "first"}\n{"_id": "3", "text": "third"}\n{"_id": "0", "text": "zero"}\n',
    });
    const test = await readQrels(join(dir, 'qrels'));
    expect([...test.keys()]).toEqual(['1', '3']);
    expect(test.get('1')).toEqual(new Map([['d1', 1], ['d2', 2]]));
    expect((await readQrels(join(dir, 'qrels'), 'train')).get('0')).toEqual(new Map([['d9', 1]]));
    expect((await readQrels(join(dir, 'qrels/test.tsv'))).size).toBe(2);
    const queries = await readQueries(join(dir, 'queries.jsonl'));
    // Query 3 has no relevant document: not evaluated.
    expect(queriesToEvaluate(test, queries)).toEqual([{ id: '1', text: 'first' }]);
    queries.delete('1');
    expect(() => queriesToEvaluate(test, queries)).toThrow(/Query 1 is in the qrels but not in the queries file/);
  });

  test('qrels: a bad grade is an error', async () => {
    const dir = await folder({ 'q.tsv': 'query-id\tcorpus-id\tscore\n1\td1\tyes\n' });
    await expect(readQrels(join(dir, 'q.tsv'))).rejects.toThrow(/q\.tsv:2/);
  });
});
