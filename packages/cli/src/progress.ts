/** One-line progress on stderr (redrawn in a terminal, one line per update otherwise). */
export function progressLine(message: string, startedMs: number): void {
  const seconds = (performance.now() - startedMs) / 1000;
  const line = `${message} (${seconds.toFixed(1)} s)`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}\u001b[K`);
  else process.stderr.write(`${line}\n`);
}
