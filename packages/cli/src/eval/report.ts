/** How `colbert-web eval` prints its results: a metric table for people, one JSON object for scripts. */
import type { MetricValues, TieOrder } from './metrics.js';
import { CUTOFFS } from './metrics.js';

/** Everything `eval --json` writes. */
export interface EvalReport {
  readonly scorer: string;
  readonly corpus: { readonly path: string; readonly documents: number };
  readonly queries: { readonly path: string; readonly evaluated: number; readonly skippedWithoutRelevant: number };
  readonly qrels: { readonly path: string; readonly split: string };
  readonly settings: Readonly<Record<string, string | number>>;
  readonly ties: TieOrder;
  readonly metrics: MetricValues;
  readonly timings: { readonly loadMs: number; readonly indexMs: number; readonly rankMs: number };
}

const fixed = (value: number): string => value.toFixed(4);

/**
 * The human-readable report: a header line, the single-depth metrics, then @1/@3/@5/@10 rows.
 *
 * @example
 * process.stdout.write(formatReport(report));
 */
export function formatReport(report: EvalReport): string {
  const { metrics, timings } = report;
  const settings = Object.entries(report.settings).map(([k, v]) => `${k}=${v}`).join(' ');
  const lines = [
    `scorer ${report.scorer}${settings ? ` (${settings})` : ''}: ${report.queries.evaluated} ${report.qrels.split} queries, ${report.corpus.documents} documents, ties ${report.ties}`,
    `load ${(timings.loadMs / 1000).toFixed(1)} s, index ${(timings.indexMs / 1000).toFixed(1)} s, rank ${(timings.rankMs / 1000).toFixed(1)} s`,
    '',
    `nDCG@10  ${fixed(metrics['ndcg@10'])}`,
    `MRR@10   ${fixed(metrics['mrr@10'])}`,
    `MAP@100  ${fixed(metrics['map@100'])}`,
    '',
    ['', ...CUTOFFS.map((k) => `@${k}`)].map((cell, i) => (i === 0 ? cell.padEnd(10) : cell.padStart(8))).join(''),
  ];
  for (const [label, family] of [['Recall', 'recall'], ['Precision', 'precision'], ['Accuracy', 'accuracy']] as const) {
    lines.push(label.padEnd(10) + CUTOFFS.map((k) => fixed(metrics[`${family}@${k}`]).padStart(8)).join(''));
  }
  return `${lines.join('\n')}\n`;
}
