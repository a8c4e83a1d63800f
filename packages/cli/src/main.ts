import { ColbertError } from 'colbert-web/node';
import { encodeCommand } from './encode.js';
import { indexCommand } from './index-command.js';
import { searchCommand } from './search-command.js';
import { EVAL_USAGE, evalCommand } from './eval/command.js';

const USAGE = `colbert-web <command> [options]

Commands:
  encode --model <folder|url> --input <texts.jsonl> --output <vectors.jsonl> [--split] [--threads N] [--pool-factor N]
      Encodes each input line {"text": "...", "kind": "query"|"document"} into one output line
      {"kind": ..., "tokens": [[...], ...]} (one row per kept token, input order; with --pool-factor, documents
      have PyLate's pooled rows instead: [CLS] + about 1/N of their tokens).
  index <corpus.jsonl[.gz]> --model <folder|url> --output <site.cwi> [--precision int8|f16|f32]
        [--long-documents truncate|split] [--threads N] [--pool-factor N]
      Builds a portable index file from a BEIR corpus ({"_id", "title", "text"}; indexed text = title + " " + text).
      Ctrl-C leaves a consistent file: run the same command again to resume.
  search <site.cwi> "query" [-k 10] [--json] [--model <folder|url>]
      Searches an index file on the CPU (WebAssembly SIMD MaxSim); the model defaults to the one the file names.
${EVAL_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'encode':
      return encodeCommand(rest);
    case 'index':
      return indexCommand(rest);
    case 'search':
      return searchCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ColbertError) process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    else process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
