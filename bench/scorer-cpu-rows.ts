/** Summaries of the CPU scorer benchmark's rows, shared by the Node and Chromium runs. */
import type { CpuBenchRow } from './scorer-cpu-work.js';
import { summarise, type Summary } from './stats.js';

export interface DescribedRow extends CpuBenchRow {
  dim: number;
  documents: number;
  tokens: number;
  latency: Summary;
  /** 2 FLOPs per multiply-add of real (unpadded) tokens, per second. */
  gflops: number;
  /** Corpus bytes one search reads (the peer: its padded tensors), per second. */
  gbps: number;
  /** The peer's median over this row's median (at the same dim, in the same run); NaN without a peer. */
  speedupOverPeer: number;
}

export function describeRows(rows: readonly CpuBenchRow[], dim: number, lengths: readonly number[], queryTokens: number): DescribedRow[] {
  const tokens = lengths.reduce((a, b) => a + b, 0);
  const flops = 2 * tokens * queryTokens * dim;
  const peer = rows.find((r) => r.path.startsWith('onnxruntime'));
  const peerMedian = peer ? summarise(peer.samplesMs).median : NaN;
  return rows.map((r) => {
    const latency = summarise(r.samplesMs);
    return { dim, documents: lengths.length, tokens, ...r, latency, gflops: flops / (latency.median / 1000) / 1e9, gbps: r.bytes / (latency.median / 1000) / 1e9, speedupOverPeer: peerMedian / latency.median };
  });
}
