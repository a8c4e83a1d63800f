/** SciFact abstracts from ../shared/data (evaluation and benchmarks only; never copied into the repo). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const SHARED = process.env['COLBERT_WEB_SHARED'] ?? join(import.meta.dirname, '../../shared');

export function scifactDocuments(limit: number): string[] {
  const lines = gunzipSync(readFileSync(join(SHARED, 'data/scifact/corpus.jsonl.gz'))).toString('utf8').split('\n');
  const docs: string[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    const { title, text } = JSON.parse(line) as { title: string; text: string };
    docs.push(`${title} ${text}`);
    if (docs.length === limit) break;
  }
  return docs;
}

/** The first `limit` SciFact claims (queries.jsonl.gz), in file order. */
export function scifactQueries(limit: number): string[] {
  const lines = gunzipSync(readFileSync(join(SHARED, 'data/scifact/queries.jsonl.gz'))).toString('utf8').split('\n');
  return lines.filter((line) => line.trim()).slice(0, limit).map((line) => (JSON.parse(line) as { text: string }).text);
}
