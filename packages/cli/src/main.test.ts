/**
 * The installed command as a user meets it: per-command help, --version, and every failure one line
 * `error [CODE]: …` on stderr with a non-zero exit status and nothing on stdout.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';

const execute = promisify(execFile);
const bin = fileURLToPath(new URL('../../../node_modules/.bin/colbert-web', import.meta.url));
const model = fileURLToPath(new URL('../../../../shared/fixtures/colbert-tiny-golden/checkpoint', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await execute(bin, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('help and version', () => {
  const flags = { encode: ['--input', '--backend', '--threads'], index: ['--precision', '--long-documents', '--backend'], search: ['-k', '--json', '--queries', '--exact', '--backend'], inspect: ['--json'], eval: ['--qrels', '--scorer', '--rerank', '--fusion'], 'optimize-model': ['--weights', '--out'] };
  for (const [command, mentions] of Object.entries(flags)) {
    for (const help of ['--help', '-h']) {
      test(`${command} ${help} prints its own usage on stdout, exit 0`, async () => {
        const { code, stdout, stderr } = await cli([command, help]);
        expect(code).toBe(0);
        expect(stderr).toBe('');
        expect(stdout.split('\n')[0]).toBe(`colbert-web ${command} [options]`);
        for (const flag of mentions) expect(stdout).toContain(flag);
        // Only this command's usage, not the whole list.
        for (const other of Object.keys(flags).filter((c) => c !== command)) expect(stdout).not.toContain(`\n  ${other} `);
      });
    }
  }

  test('--help lists every command, exit 0; no command prints it with exit 1', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of Object.keys(flags)) expect(help.stdout).toContain(`\n  ${command} `);
    const bare = await cli([]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toBe(help.stdout);
  });

  test('--version prints the CLI package version', async () => {
    const { version } = JSON.parse(await readFile(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('failures: one line on stderr, non-zero exit, no stack trace', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colbert-cli-errors-'));
    await writeFile(join(dir, 'not-gzip.jsonl.gz'), 'plain text, not gzip\n');
    await writeFile(join(dir, 'truncated.jsonl.gz'), gzipSync('{"_id": "a", "text": "one"}\n'.repeat(200)).subarray(0, 40));
    await writeFile(join(dir, 'not-an-index.cwi'), 'hello');
    await writeFile(join(dir, 'texts.jsonl'), '{"text": "hi", "kind": "query"}\n');
  });

  const EVAL_FILES = ['eval', '--corpus', 'c.jsonl', '--queries', 'q.jsonl', '--qrels', 'qrels.tsv'];
  const cases: [string, (dir: string) => string[], string, RegExp][] = [
    ['unknown command', () => ['frobnicate'], 'INVALID_INPUT', /unknown command "frobnicate"/],
    ['unknown flag', () => ['index', 'c.jsonl', '--bogus'], 'INVALID_INPUT', /--bogus.*colbert-web index --help/],
    ['flag without its value', (d) => ['encode', '--model', model, '--input', join(d, 'texts.jsonl'), '--output'], 'INVALID_INPUT', /--output/],
    ['missing required flag', (d) => ['encode', '--input', join(d, 'texts.jsonl'), '--output', join(d, 'o.jsonl')], 'INVALID_INPUT', /encode needs --model/],
    ['bad --threads', (d) => ['encode', '--model', model, '--input', join(d, 'texts.jsonl'), '--output', join(d, 'o.jsonl'), '--threads', '0'], 'INVALID_INPUT', /--threads must be a positive integer \(got "0"\)/],
    ['bad --backend', (d) => ['encode', '--model', model, '--input', join(d, 'texts.jsonl'), '--output', join(d, 'o.jsonl'), '--backend', 'gpu'], 'INVALID_INPUT', /--backend must be one of native, wasm/],
    ['bad -k', (d) => ['search', join(d, 'not-an-index.cwi'), 'q', '-k', 'ten'], 'INVALID_INPUT', /-k must be/],
    ['bad --precision', (d) => ['index', join(d, 'not-gzip.jsonl.gz'), '--model', model, '--output', join(d, 'x.cwi'), '--precision', 'int4'], 'INVALID_INPUT', /--precision/],
    ['missing input file', (d) => ['encode', '--model', model, '--input', join(d, 'nope.jsonl'), '--output', join(d, 'o.jsonl')], 'INVALID_INPUT', /nope\.jsonl does not exist/],
    ['unwritable output', (d) => ['encode', '--model', model, '--input', join(d, 'texts.jsonl'), '--output', join(d, 'no-dir', 'o.jsonl')], 'ENOENT', /no such file or directory, open '.*no-dir/],
    ['missing corpus', (d) => ['index', join(d, 'nope.jsonl'), '--model', model, '--output', join(d, 'x.cwi')], 'INVALID_INPUT', /corpus .*nope\.jsonl does not exist/],
    ['corpus that is not gzip', (d) => ['index', join(d, 'not-gzip.jsonl.gz'), '--model', model, '--output', join(d, 'y.cwi')], 'INVALID_INPUT', /not-gzip\.jsonl\.gz is not a readable gzip file/],
    ['truncated gzip corpus', (d) => ['index', join(d, 'truncated.jsonl.gz'), '--model', model, '--output', join(d, 'z.cwi')], 'INVALID_INPUT', /truncated\.jsonl\.gz is not a readable gzip file/],
    ['missing index file', (d) => ['search', join(d, 'nope.cwi'), 'query'], 'INVALID_INPUT', /index file .*nope\.cwi does not exist/],
    ['a directory as the index file', (d) => ['search', d, 'query'], 'INVALID_INPUT', /is not a file/],
    ['not an index file', (d) => ['search', join(d, 'not-an-index.cwi'), 'query'], 'INDEX_FILE_INVALID', /shorter than its header/],
    ['bad --rerank', () => [...EVAL_FILES, '--rerank', 'bm25'], 'INVALID_INPUT', /--rerank must be bm25:N/],
    ['bad --rerank depth', () => [...EVAL_FILES, '--rerank', 'bm25:0'], 'INVALID_INPUT', /--rerank must be a positive integer \(got "0"\)/],
    ['--rerank with another scorer', () => [...EVAL_FILES, '--scorer', 'bm25', '--rerank', 'bm25:10'], 'INVALID_INPUT', /use it with --scorer model/],
    ['bad --fusion', () => [...EVAL_FILES, '--scorer', 'hybrid', '--fusion', 'max'], 'INVALID_INPUT', /--fusion must be one of rrf, weighted/],
    ['bad --semantic-weight', () => [...EVAL_FILES, '--scorer', 'hybrid', '--semantic-weight', '1.5'], 'INVALID_INPUT', /between 0 and 1/],
    ['inspect: missing index file', (d) => ['inspect', join(d, 'nope.cwi')], 'INVALID_INPUT', /index file .*nope\.cwi does not exist/],
    ['inspect: not an index file', (d) => ['inspect', join(d, 'not-an-index.cwi')], 'INDEX_FILE_INVALID', /shorter than its header/],
    ['search: missing queries file', (d) => ['search', join(d, 'not-an-index.cwi'), '--queries', join(d, 'nope.jsonl')], 'INVALID_INPUT', /queries file .*nope\.jsonl does not exist/],
    ['missing model folder', (d) => ['encode', '--model', join(d, 'no-model'), '--input', join(d, 'texts.jsonl'), '--output', join(d, 'o.jsonl')], 'MODEL_FILE_MISSING', /no-model/],
  ];
  for (const [name, args, code, message] of cases) {
    test(name, async () => {
      const outcome = await cli(args(dir));
      expect(outcome.code).not.toBe(0);
      expect(outcome.stdout).toBe('');
      const errors = outcome.stderr.split('\n').filter((line) => line.startsWith('error'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^error \\[${code}\\]: `));
      expect(errors[0]).toMatch(message);
      expect(outcome.stderr).not.toMatch(/^\s+at /m);
      // The last line is the error: nothing (a stack, a second report) follows it.
      expect(outcome.stderr.trimEnd().split('\n').at(-1)).toBe(errors[0]);
    });
  }
});
