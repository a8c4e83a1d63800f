import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { trainCompression } from '../../colbert-web/src/scoring/compressed/build-compressed.js';
import { CompressedCorpus } from '../../colbert-web/src/scoring/compressed/compressed-corpus.js';
import { decodeTokens } from '../../colbert-web/src/scoring/reference-f64.js';
import { IndexFileReader } from '../../colbert-web/src/store/index-file-reader.js';
import type { FileItem } from '../../colbert-web/src/store/index-file-reader.js';

// Runs the CLI from source through tsx, as index-command.test.ts does.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'packages/cli/src/main.ts');
const loader = ['--import', 'tsx'];
const model = fileURLToPath(new URL('../../../../shared/fixtures/colbert-tiny-golden/checkpoint', import.meta.url));
const scifact = fileURLToPath(new URL('../../../../shared/data/scifact/corpus.jsonl.gz', import.meta.url));

async function items(path: string): Promise<FileItem[]> {
  const reader = new IndexFileReader();
  const out = reader.push(new Uint8Array(await readFile(path)));
  reader.finish();
  return out;
}

describe('colbert-web index --nbits', () => {
  test('compresses the built file as the SDK codes the same rows; small stays int8; bad values name the flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colbert-nbits-'));
    const corpus = join(dir, 'corpus.jsonl');
    const lines = gunzipSync(await readFile(scifact)).toString('utf8').split('\n').slice(0, 60);
    await writeFile(corpus, lines.join('\n') + '\n');
    const base = [...loader, main, 'index', corpus, '--model', model, '--threads', '1'];
    const run = (args: string[]): string => execFileSync(process.execPath, [...base, ...args], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
    run(['--output', join(dir, 'small.cwi'), '--nbits', '2', '--compress-at', '100000000']);
    run(['--output', join(dir, 'coded.cwi'), '--nbits', '2', '--compress-at', '2000']);

    // Under --compress-at: int8 segments as without --nbits, in a version 2 file that says nbits 2.
    const small = await items(join(dir, 'small.cwi'));
    const coded = await items(join(dir, 'coded.cwi'));
    expect(new Uint8Array(await readFile(join(dir, 'small.cwi')))[8]).toBe(2);
    expect(new Set(small.map((i) => i.kind))).toEqual(new Set(['identity', 'segment', 'end']));
    expect(small[0]).toMatchObject({ kind: 'identity', nbits: 2 });
    expect(coded.filter((i) => i.kind === 'segment')).toHaveLength(0);

    // The oracle: the small file's int8 rows, decoded, trained and coded by the compressed module in memory.
    const segments = small.flatMap((i) => (i.kind === 'segment' ? [i.segment] : []));
    const rows = new Float32Array(segments.flatMap((s) => Array.from(Float32Array.from(decodeTokens(s.tokens)))));
    const dim = segments[0]!.tokens.dim;
    const { table, codec } = trainCompression(rows, dim, { nbits: 2 });
    const corpusIn = CompressedCorpus.create(table, codec);
    for (const s of segments) corpusIn.append({ vectors: Float32Array.from(decodeTokens(s.tokens)), lengths: s.lengths, seqs: s.seqs });
    const tables = coded.find((i) => i.kind === 'tables');
    expect(tables?.kind === 'tables' && Array.from(tables.table.centroids)).toEqual(Array.from(table.centroids));
    const codedSegments = coded.flatMap((i) => (i.kind === 'coded-segment' ? [i.segment] : []));
    expect(Array.from(codedSegments.flatMap((s) => Array.from(s.codes)))).toEqual(Array.from(corpusIn.codes));
    expect(Buffer.concat(codedSegments.map((s) => Buffer.from(s.residuals)))).toEqual(Buffer.from(corpusIn.residuals));
    expect(codedSegments.flatMap((s) => s.documents.map((d) => d.id))).toEqual(segments.flatMap((s) => s.documents.map((d) => d.id)));

    // A compressed file searches (pruned) and finds a document by its title.
    const first = JSON.parse(lines[0]!) as { _id: string; title: string };
    const out = execFileSync(process.execPath, [...loader, main, 'search', join(dir, 'coded.cwi'), first.title, '-k', '3', '--json'], { cwd: root, encoding: 'utf8' });
    expect((JSON.parse(out) as { id: string }[])[0]!.id).toBe(first._id);

    const inspected = JSON.parse(execFileSync(process.execPath, [...loader, main, 'inspect', join(dir, 'coded.cwi'), '--json'], { cwd: root, encoding: 'utf8' })) as Record<string, unknown>;
    const tableBytes = [table.coarse, table.coarseStart, table.centroids, codec.cutoffs, codec.weights].reduce((n, a) => n + a.byteLength, 0);
    expect(inspected).toMatchObject({ documents: 60, tokens: corpusIn.tokens, dim, nbits: 2, centroids: table.centroids.length / dim });
    expect(inspected['bytesPerToken']).toBeCloseTo((corpusIn.tokens * (4 + 24) + tableBytes) / corpusIn.tokens, 9);

    const bad = (args: string[]): string => {
      try {
        run(args);
      } catch (error) {
        return (error as { stderr: string }).stderr;
      }
      return 'succeeded';
    };
    expect(bad(['--output', join(dir, 'x.cwi'), '--nbits', '3'])).toMatch(/^error \[INVALID_INPUT\]: --nbits must be one of 2, 4 \(got "3"\)/m);
    expect(bad(['--output', join(dir, 'x.cwi'), '--nbits', '0'])).toMatch(/^error \[INVALID_INPUT\]: --nbits/m);
    expect(bad(['--output', join(dir, 'small.cwi'), '--nbits', '4'])).toMatch(/started --nbits 2/);
    expect(bad(['--output', join(dir, 'small.cwi')])).toMatch(/started --nbits 2/);
  });
});
