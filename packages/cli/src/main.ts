import { readFileSync } from 'node:fs';
import { encodeCommand } from './encode.js';
import { EVAL_USAGE, evalCommand } from './eval/command.js';
import { failureLine } from './failure.js';
import { indexCommand } from './index-command.js';
import { inspectCommand } from './inspect-command.js';
import { makeLexicalModelCommand } from './make-lexical-model.js';
import { optimizeModelCommand } from './optimize-model.js';
import { searchCommand } from './search-command.js';

interface Command {
  /** What `colbert-web <name> --help` prints: the synopsis line(s), then what the command does. */
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

const BACKEND_USAGE = `[--backend native|wasm] [--threads N]`;

/** Every command, its usage, and the function that runs it. */
const COMMANDS: Record<string, Command> = {
  encode: {
    usage: `  encode --model <folder|url> --input <texts.jsonl> --output <vectors.jsonl> [--split] [--pool-factor N] ${BACKEND_USAGE}
      Encodes each input line {"text": "...", "kind": "query"|"document"} into one output line
      {"kind": ..., "tokens": [[...], ...]} (one row per kept token, input order; with --pool-factor, documents
      have PyLate's pooled rows instead: [CLS] + about 1/N of their tokens).
      --backend native (default) runs onnxruntime-node on all cores, wasm runs onnxruntime-web.
`,
    run: encodeCommand,
  },
  index: {
    usage: `  index <corpus.jsonl[.gz]> --model <folder|url> --output <site.cwi> [--precision int8|f16|f32]
        [--long-documents truncate|split] [--pool-factor N] [--nbits 2|4 [--compress-at ROWS]] ${BACKEND_USAGE}
      Builds a portable index file from a BEIR corpus ({"_id", "title", "text"}; indexed text = title + " " + text).
      Ctrl-C leaves a consistent file: run the same command again to resume. --nbits compresses the file once built
      if it holds at least --compress-at rows (default 262144), exactly as a browser index of the same rows.
`,
    run: indexCommand,
  },
  search: {
    usage: `  search <site.cwi> ("query" | --queries <queries.jsonl>) [-k 10] [--exact] [--json] [--model <folder|url>] ${BACKEND_USAGE}
      Searches an index file on the CPU (WebAssembly SIMD MaxSim); the model defaults to the one the file names.
      --queries: every line {"_id", "text"} of a BEIR queries file, answered in input order, one JSON line each:
      {"query", "id", "hits": [{"id", "score"}], "ms"}. --exact: score every document (what uncompressed files do).
`,
    run: searchCommand,
  },
  inspect: {
    usage: `  inspect <site.cwi> [--json]
      Checks a whole index file and prints what it holds: documents, tokens, dim, precision, pool factor, nbits and
      centroids (null when uncompressed), bytes per token (vector bytes ÷ tokens) and the file's bytes.
`,
    run: inspectCommand,
  },
  'make-lexical-model': {
    usage: `  make-lexical-model --out <dir> [--tokenizer <folder|url>] [--seed N]
      Writes the offline lexical model (~16 MB): word matching, not semantic; for apps that must work with no download.
      The tokenizer is the uncased BERT WordPiece one packed with the CLI (or --tokenizer: a BERT uncased checkpoint).
`,
    run: makeLexicalModelCommand,
  },
  eval: { usage: EVAL_USAGE, run: evalCommand },
  'optimize-model': {
    usage: `  optimize-model <checkpoint> --weights fp16|int8|q4 --out <dir>
      Writes a copy of a checkpoint folder with smaller safetensors: fp16 (half the bytes), int8 (matrices per-row
      int8, about a quarter) or q4 (matrices in 4-bit blocks of 32, run as MatMulNBits; about a sixth). The SDK
      loads it like any checkpoint. Other weight files (.bin, .onnx, …) are left out.
`,
    run: optimizeModelCommand,
  },
};

const USAGE = `colbert-web <command> [options]   (colbert-web <command> --help, colbert-web --version)

Commands:
${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('')}`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Options before a `--` (after it, `--help` is an argument). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`error [INVALID_INPUT]: unknown command "${name}"; the commands are ${Object.keys(COMMANDS).join(', ')} (colbert-web --help).\n`);
    return 2;
  }
  if (asksForHelp(rest)) {
    process.stdout.write(`colbert-web ${name} [options]\n\n${command.usage}`);
    return 0;
  }
  // An error event no one awaits (a stream's, say) is still one line, not Node's report of it.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${failureLine(error, name)}\n`);
    process.exit(1);
  });
  try {
    return await command.run(rest);
  } catch (error) {
    process.stderr.write(`${failureLine(error, name)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
