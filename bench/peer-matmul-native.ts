/** The peer MatMul of peer-matmul.ts on onnxruntime-node's CPU provider (Node only). */
import native from 'onnxruntime-node';
import { matmulInput, matmulModel, timeSession } from './peer-matmul.js';

/** Milliseconds per sample of the MatMul natively, with `threads` intra-op threads. */
export async function timeNativeMatMul(m: number, k: number, n: number, repeats: number, runs: number, threads: number): Promise<number[]> {
  const session = await native.InferenceSession.create(matmulModel(m, k, n), { executionProviders: ['cpu'], intraOpNumThreads: threads });
  return timeSession(session, { a: new native.Tensor('float32', matmulInput(m, k), [m, k]) }, repeats, runs);
}
