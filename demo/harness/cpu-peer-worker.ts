/// <reference lib="webworker" />
// The CPU scorer benchmark's peer (onnxruntime-web MatMul + ReduceMax on padded tensors) in a worker of its own.
import * as ort from 'onnxruntime-web';
import { runPeerBench, type PeerOptions } from '../../bench/scorer-cpu-work.js';

self.onmessage = async (e: MessageEvent<PeerOptions>) => {
  try {
    self.postMessage({ result: await runPeerBench(ort, e.data) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
