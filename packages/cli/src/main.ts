import { ColbertError } from 'colbert-web/node';
import { encodeCommand } from './encode.js';

const USAGE = `colbert-web <command> [options]

Commands:
  encode --model <folder|url> --input <texts.jsonl> --output <vectors.jsonl> [--split] [--threads N]
      Encodes each input line {"text": "...", "kind": "query"|"document"} into one output line
      {"kind": ..., "tokens": [[...], ...]} (one row per kept token, input order).
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'encode':
      return encodeCommand(rest);
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
