/**
 * Which nodes onnxruntime-web runs on the CPU inside a WebGPU session. The runtime exposes no API for it; its
 * session logger does: at verbose level, `VerifyEachNodeIsAssignedToAnEp` lists every node of the optimised graph
 * under the execution provider that got it. This module captures that log while a session is created, parses it,
 * and tells shape arithmetic (expected on the CPU) from real fallbacks using the edges of the model we built.
 */
import type { NodePlacement } from '../protocol/encoder-api.js';
import type { OnnxTopology } from './onnx-topology.js';

/** onnxruntime-web's name for its WebGPU (JSEP) execution provider. */
export const WEBGPU_PROVIDER = 'JsExecutionProvider';
const CPU_PROVIDER = 'CPUExecutionProvider';

/** A node as onnxruntime logs it: `OpType (node name)`. */
export interface PlacedNode {
  readonly opType: string;
  readonly name: string;
}

const PLACEMENT_TAG = 'VerifyEachNodeIsAssignedToAnEp]';

/**
 * The node placement block of a captured onnxruntime log: provider → nodes. Null when the log has none (verbose
 * logging was off, or the log went elsewhere). With a single provider onnxruntime logs only a count, which gives
 * that provider `count` nodes of unknown names.
 *
 * @example
 * parsePlacementLog(lines).get('CPUExecutionProvider'); // [{ opType: 'Shape', name: 'seq_length_node' }, ...]
 */
export function parsePlacementLog(lines: readonly string[]): Map<string, PlacedNode[]> | null {
  let placements: Map<string, PlacedNode[]> | null = null;
  let current: PlacedNode[] | undefined;
  for (const line of lines) {
    const at = line.indexOf(PLACEMENT_TAG);
    if (at < 0) continue;
    const message = line.slice(at + PLACEMENT_TAG.length).trim();
    if (message === 'Node placements') {
      placements = new Map();
      current = undefined;
      continue;
    }
    if (!placements) continue;
    const header = /^(All nodes|Node\(s\)) placed on \[([^\]]+)\]\. Number of nodes: (\d+)/.exec(message);
    if (header) {
      current = [];
      placements.set(header[2]!, current);
      if (header[1] === 'All nodes') for (let i = 0; i < Number(header[3]); i++) current.push({ opType: '', name: '' });
      continue;
    }
    const node = /^(\S+) \((.*)\)$/.exec(message);
    if (node && current) current.push({ opType: node[1]!, name: node[2]! });
  }
  return placements;
}

/** Ops whose output is a shape, whatever tensor they read. */
const SHAPE_OPS = new Set(['Shape', 'Size']);

/**
 * Ops onnxruntime's optimisers insert to rewrite shape computations (the transpose optimiser permutes `Shape`
 * outputs with `Gather`, for example). A node we did not build, on the CPU, with one of these ops works on int64
 * shape values: the WebGPU EP runs these ops itself on float data.
 */
const SHAPE_PLUMBING_OPS = new Set(['Shape', 'Size', 'Gather', 'Concat', 'Unsqueeze', 'Squeeze', 'Slice', 'Reshape', 'Identity']);

/**
 * Splits the CPU nodes of a WebGPU session into shape arithmetic and real fallbacks. A node is shape arithmetic when
 * its value depends only on constants and tensor shapes (`Shape`, `Size`, or only such inputs): it never reads the
 * tensors' contents, so running it on the CPU costs no transfer of data computed on the GPU. Any other CPU node
 * (a Cast of the attention mask, an op without a WebGPU kernel) is a fallback.
 *
 * @example
 * classifyPlacement(parsePlacementLog(lines)!, readOnnxTopology(model)); // { gpu: 70, cpuShape: [...], cpuFallback: [] }
 */
export function classifyPlacement(placements: ReadonlyMap<string, readonly PlacedNode[]>, topology: OnnxTopology): NodePlacement {
  const shapeValues = shapeDerivedValues(topology);
  const byName = new Map(topology.nodes.map((n) => [n.name, n]));
  const cpuShape: string[] = [];
  const cpuFallback: string[] = [];
  let gpu = 0;
  for (const [provider, nodes] of placements) {
    for (const placed of nodes) {
      if (placed.opType.startsWith('Memcpy')) continue;
      if (provider === WEBGPU_PROVIDER) {
        gpu++;
        continue;
      }
      const label = `${placed.opType} (${placed.name})`;
      const node = byName.get(placed.name);
      const isShape = node
        ? SHAPE_OPS.has(node.opType) || node.inputs.every((input) => input === '' || shapeValues.has(input))
        : SHAPE_PLUMBING_OPS.has(placed.opType) && provider === CPU_PROVIDER;
      (isShape ? cpuShape : cpuFallback).push(label);
    }
  }
  return { gpu, cpuShape, cpuFallback };
}

/** Values of the graph that depend only on constants and tensor shapes, never on tensor contents. */
function shapeDerivedValues(topology: OnnxTopology): Set<string> {
  const values = new Set(topology.initializers);
  // ONNX nodes are topologically sorted, but a fixpoint costs little and does not rely on it.
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of topology.nodes) {
      if (node.outputs.every((o) => values.has(o))) continue;
      const derived =
        node.opType === 'Constant' ||
        SHAPE_OPS.has(node.opType) ||
        node.inputs.every((input) => input === '' || values.has(input));
      if (!derived) continue;
      for (const output of node.outputs) values.add(output);
      changed = true;
    }
  }
  return values;
}

/**
 * The console tap. onnxruntime-web's WASM module binds `console.log`/`console.error` when it starts, so the tap must
 * be installed before the first session of the realm is created; it forwards everything unless a capture is running.
 */
let tap: { capture: string[] | undefined } | undefined;

/**
 * Routes console output through a capture point, once per realm. Call before onnxruntime-web starts (before the
 * first `InferenceSession.create`); later calls do nothing.
 */
export function installOrtLogTap(): void {
  if (tap) return;
  const state: { capture: string[] | undefined } = { capture: undefined };
  tap = state;
  // The one place the SDK touches the console: onnxruntime reports node placement nowhere else.
  /* eslint-disable no-console */
  for (const method of ['log', 'error'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]): void => {
      if (state.capture) {
        const line = args.map(String).join(' ');
        state.capture.push(line);
        // onnxruntime's verbose and info lines, and its placement warning (reported in BackendInfo instead), stay quiet.
        if (/\[[VI]:onnxruntime:/.test(line) || line.includes('not assigned to the preferred execution providers')) return;
      }
      original.apply(console, args);
    };
  }
  /* eslint-enable no-console */
}

let captureChain: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` with the console tap recording. Captures are serialised, so two sessions created at once do not
 * interleave their logs.
 */
export function captureOrtLog<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const run = async (): Promise<{ value: T; lines: string[] }> => {
    const lines: string[] = [];
    if (tap) tap.capture = lines;
    try {
      return { value: await fn(), lines };
    } finally {
      if (tap) tap.capture = undefined;
    }
  };
  const result = captureChain.then(run, run);
  captureChain = result.catch(() => undefined);
  return result;
}
