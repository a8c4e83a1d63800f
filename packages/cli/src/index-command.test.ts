import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { IndexFileReader } from '../../colbert-web/src/store/index-file-reader.js';

// Runs the CLI from source through tsx (tsconfig paths resolve colbert-web to src), as `npx tsx src/main.ts`.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'packages/cli/src/main.ts');
// One process (node + the tsx loader), so SIGINT reaches the CLI itself and not a wrapper.
const tsx = process.execPath;
const loader = ['--import', 'tsx'];
const model = fileURLToPath(new URL('../../../../shared/fixtures/colbert-tiny-golden/checkpoint', import.meta.url));
const scifact = fileURLToPath(new URL('../../../../shared/data/scifact/corpus.jsonl.gz', import.meta.url));

/** Every document of a file in order: ids, seqs, and the bytes of values, scales and spans. */
function contents(bytes: Uint8Array): { ids: string[]; seqs: number[]; values: Buffer; scales: Buffer; spans: Buffer } {
  const r = new IndexFileReader();
  const ids: string[] = [];
  const seqs: number[] = [];
  const parts = { values: [] as Buffer[], scales: [] as Buffer[], spans: [] as Buffer[] };
  const buf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  for (const item of r.push(bytes)) {
    if (item.kind !== 'segment') continue;
    const s = item.segment;
    s.documents.forEach((d, i) => {
      ids.push(d.id);
      seqs.push(s.seqs[i]!);
    });
    parts.values.push(buf(s.tokens.values));
    if (s.tokens.precision === 'int8') parts.scales.push(buf(s.tokens.scales));
    parts.spans.push(buf(s.spans));
  }
  r.finish();
  return { ids, seqs, values: Buffer.concat(parts.values), scales: Buffer.concat(parts.scales), spans: Buffer.concat(parts.spans) };
}

describe('colbert-web index / search', () => {
  test('Ctrl-C leaves a resumable file; the resumed build equals an uninterrupted one; search finds a title', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colbert-index-'));
    const corpus = join(dir, 'corpus.jsonl');
    const lines = gunzipSync(await readFile(scifact)).toString('utf8').split('\n').slice(0, 400);
    await writeFile(corpus, lines.join('\n') + '\n');
    const args = (out: string): string[] => [...loader, main, 'index', corpus, '--model', model, '--output', out, '--threads', '1'];
    execFileSync(tsx, args(join(dir, 'whole.cwi')), { cwd: root, stdio: 'pipe' });

    const interrupted = join(dir, 'resumed.cwi');
    const child = spawn(tsx, args(interrupted), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Interrupt once encoding is under way (after the first progress line).
      if (/\d+ docs/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toContain('run the same command again to resume');
    expect(code).not.toBe(0);
    const partial = new Uint8Array(await readFile(interrupted));
    expect(() => contents(partial)).toThrow(/truncated/);
    const rerun = execFileSync(tsx, args(interrupted), { cwd: root, stdio: 'pipe', encoding: 'utf8' });
    expect(rerun).toBe('');
    const a = contents(new Uint8Array(await readFile(join(dir, 'whole.cwi'))));
    const b = contents(new Uint8Array(await readFile(interrupted)));
    expect(b.ids.length).toBe(400);
    expect(b).toEqual(a);

    const first = JSON.parse(lines[0]!) as { _id: string; title: string };
    const out = execFileSync(tsx, [...loader, main, 'search', interrupted, first.title, '-k', '3', '--json'], { cwd: root, encoding: 'utf8' });
    const hits = JSON.parse(out) as { id: string; score: number }[];
    expect(hits).toHaveLength(3);
    expect(hits[0]!.id).toBe(first._id);
  });

  test('--pool-factor 2: the file says so, rows are pooled with every token kept, a resume must use the same factor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colbert-index-'));
    const corpus = join(dir, 'corpus.jsonl');
    const lines = gunzipSync(await readFile(scifact)).toString('utf8').split('\n').slice(0, 60);
    await writeFile(corpus, lines.join('\n') + '\n');
    const base = [...loader, main, 'index', corpus, '--model', model, '--threads', '1'];
    execFileSync(tsx, [...base, '--output', join(dir, 'plain.cwi')], { cwd: root, stdio: 'pipe' });
    execFileSync(tsx, [...base, '--output', join(dir, 'pooled.cwi'), '--pool-factor', '2'], { cwd: root, stdio: 'pipe' });
    const read = async (name: string): Promise<{ poolFactor: number; rows: number; tokens: number; tokenRows: number }> => {
      const items = new IndexFileReader().push(new Uint8Array(await readFile(join(dir, name))));
      const out = { poolFactor: 0, rows: 0, tokens: 0, tokenRows: 0 };
      for (const item of items) {
        if (item.kind === 'identity') out.poolFactor = item.poolFactor;
        if (item.kind !== 'segment') continue;
        out.rows += item.segment.tokens.rows;
        out.tokens += item.segment.tokenIds.length;
        out.tokenRows += item.segment.tokenRows?.length ?? 0;
      }
      return out;
    };
    const plain = await read('plain.cwi');
    const pooled = await read('pooled.cwi');
    expect(plain).toMatchObject({ poolFactor: 1, tokenRows: 0 });
    expect(plain.rows).toBe(plain.tokens);
    expect(pooled.poolFactor).toBe(2);
    expect(pooled.tokens).toBe(plain.tokens);
    expect(pooled.tokenRows).toBe(plain.tokens);
    expect(pooled.rows).toBeLessThan(plain.rows * 0.6);
    expect(() => execFileSync(tsx, [...base, '--output', join(dir, 'pooled.cwi'), '--pool-factor', '3'], { cwd: root, stdio: 'pipe' })).toThrow(/pool-factor 2/);
    const first = JSON.parse(lines[0]!) as { _id: string; title: string };
    const out = execFileSync(tsx, [...loader, main, 'search', join(dir, 'pooled.cwi'), first.title, '-k', '3', '--json'], { cwd: root, encoding: 'utf8' });
    expect((JSON.parse(out) as { id: string }[])[0]!.id).toBe(first._id);
  });

  test('inspect --json summarises a file; search --queries answers a BEIR queries file in input order, as single searches do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colbert-index-'));
    const corpus = join(dir, 'corpus.jsonl');
    const lines = gunzipSync(await readFile(scifact)).toString('utf8').split('\n').slice(0, 30);
    await writeFile(corpus, lines.join('\n') + '\n');
    const file = join(dir, 'small.cwi');
    execFileSync(tsx, [...loader, main, 'index', corpus, '--model', model, '--threads', '1', '--output', file], { cwd: root, stdio: 'pipe' });

    const summary = JSON.parse(execFileSync(tsx, [...loader, main, 'inspect', file, '--json'], { cwd: root, encoding: 'utf8' })) as Record<string, unknown>;
    let rows = 0;
    let dim = 0;
    for (const item of new IndexFileReader().push(new Uint8Array(await readFile(file)))) {
      if (item.kind === 'identity') dim = item.identity.dim;
      if (item.kind === 'segment') rows += item.segment.tokens.rows;
    }
    // int8 rows cost dim bytes plus one float32 scale.
    expect(summary).toEqual({ model, documents: 30, tokens: rows, dim, precision: 'int8', poolFactor: 1, nbits: null, centroids: null, bytesPerToken: dim + 4, bytes: (await readFile(file)).byteLength });

    const docs = lines.slice(0, 3).map((l) => JSON.parse(l) as { _id: string; title: string });
    const queries = join(dir, 'queries.jsonl');
    await writeFile(queries, docs.map((d, i) => JSON.stringify({ _id: `q${i}`, text: d.title })).join('\n') + '\n');
    const out = execFileSync(tsx, [...loader, main, 'search', file, '--queries', queries, '-k', '2', '--json'], { cwd: root, encoding: 'utf8' });
    const answers = out.trim().split('\n').map((l) => JSON.parse(l) as { query: string; id: string; hits: { id: string; score: number }[]; ms: number });
    expect(answers.map((a) => [a.id, a.query])).toEqual(docs.map((d, i) => [`q${i}`, d.title]));
    for (const [i, a] of answers.entries()) {
      expect(Object.keys(a).sort()).toEqual(['hits', 'id', 'ms', 'query']);
      expect(a.ms).toBeGreaterThan(0);
      const single = JSON.parse(execFileSync(tsx, [...loader, main, 'search', file, docs[i]!.title, '-k', '2', '--json'], { cwd: root, encoding: 'utf8' })) as { id: string; score: number }[];
      expect(a.hits).toEqual(single.map(({ id, score }) => ({ id, score })));
      expect(a.hits[0]!.id).toBe(docs[i]!._id);
    }
    // A query and --queries together, or neither, is a usage error.
    expect(() => execFileSync(tsx, [...loader, main, 'search', file, 'q', '--queries', queries], { cwd: root, stdio: 'pipe' })).toThrow(/INVALID_INPUT/);
  });
});
