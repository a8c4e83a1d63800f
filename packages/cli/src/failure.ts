import { ColbertError } from 'colbert-web/node';

/**
 * One line, `error [CODE]: message`, for anything a command throws: the SDK's typed errors keep their code, a bad
 * flag (node:util parseArgs) is INVALID_INPUT, a file system error keeps its errno code (ENOENT, EACCES, …), and
 * anything else is INTERNAL. Never a stack trace: a user can act on the message, not on our call stack.
 */
export function failureLine(error: unknown, command: string): string {
  const { code, message } = describe(error, command);
  return `error [${code}]: ${message.replace(/\s*\n\s*/g, ' ')}`;
}

function describe(error: unknown, command: string): { code: string; message: string } {
  if (error instanceof ColbertError) return { code: error.code, message: error.message };
  if (!(error instanceof Error)) return { code: 'INTERNAL', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  if (code?.startsWith('ERR_PARSE_ARGS_')) return { code: 'INVALID_INPUT', message: `${error.message} (colbert-web ${command} --help)` };
  const syscall = (error as NodeJS.ErrnoException).syscall;
  // "ENOENT: no such file or directory, open 'x'" → "no such file or directory, open 'x'" under [ENOENT].
  if (code && syscall) return { code, message: error.message.replace(new RegExp(`^${code}: `), '') };
  return { code: code ?? 'INTERNAL', message: error.message };
}
