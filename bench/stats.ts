/** Sample statistics and reporting shared by the benchmarks. */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Summary {
  readonly samples: readonly number[];
  readonly min: number;
  readonly median: number;
  readonly p95: number;
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { samples, min: sorted[0]!, median: at(0.5), p95: at(0.95) };
}

export function environment(): Record<string, unknown> {
  return { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, platform: process.platform, date: new Date().toISOString() };
}

/** Prints the JSON and a markdown table, and keeps the JSON under bench/results/. */
export function report(name: string, json: Record<string, unknown>, header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): void {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(json, null, 2));
  console.log(JSON.stringify(json));
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

export const fmt = (x: number, digits = 1): string => x.toFixed(digits);
