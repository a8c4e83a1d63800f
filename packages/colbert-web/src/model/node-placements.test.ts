import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint } from './checkpoint.js';
import { folderFiles } from './files/folder-files.js';
import { buildEncoderGraph } from './graph/build-graph.js';
import { GraphBuilder } from './graph/graph-builder.js';
import { OnnxDataType, attr } from './graph/onnx-proto.js';
import { captureOrtLog, classifyPlacement, installOrtLogTap, parsePlacementLog } from './node-placements.js';
import type { PlacedNode } from './node-placements.js';
import { readOnnxTopology } from './onnx-topology.js';

const golden = fileURLToPath(new URL('../../../../../shared/fixtures/colbert-tiny-golden/checkpoint', import.meta.url));

/** onnxruntime-web's log lines as Chromium printed them for the golden BERT graph on WebGPU (shortened). */
const line = (message: string, severity = 'V', at = 'session_state.cc:1385'): string =>
  `2026-11-22 03:10:59.347584 [${severity}:onnxruntime:, ${at} VerifyEachNodeIsAssignedToAnEp] ${message}`;
const BERT_LOG = [
  '2026-11-22 03:10:58.991379 [I:onnxruntime:, js_execution_provider.cc:823 GetCapability] webgpu kernel not found in registries for Op type: Cast node name: cast_node',
  line('Node placements', 'V', 'session_state.cc:1377'),
  line(' Node(s) placed on [JsExecutionProvider]. Number of nodes: 4', 'V', 'session_state.cc:1383'),
  line('  Sub (sub_node)'),
  line('  Gemm (encoder.layer.0.attention.qkv_node)'),
  line('  Transpose (Transpose_token_2)'),
  line('  MemcpyFromHost (Memcpy_token_9)'),
  line(' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 6', 'V', 'session_state.cc:1383'),
  line('  Cast (cast_node)'),
  line('  Shape (seq_length_node)'),
  line('  Shape (batch_seq_node)'),
  line('  Concat (qkv_shape_node)'),
  line('  Concat (hidden_shape_node)'),
  line('  Concat (concat_node)'),
  '\u001b[0;93m' + line('Some nodes were not assigned to the preferred execution providers which may or may not have an negative impact on performance.', 'W', 'session_state.cc:1397') + '\u001b[m',
];

describe('parsePlacementLog', () => {
  it('reads the provider of every node', () => {
    const placements = parsePlacementLog(BERT_LOG)!;
    expect([...placements.keys()]).toEqual(['JsExecutionProvider', 'CPUExecutionProvider']);
    expect(placements.get('JsExecutionProvider')!.map((n) => n.name)).toEqual(['sub_node', 'encoder.layer.0.attention.qkv_node', 'Transpose_token_2', 'Memcpy_token_9']);
    expect(placements.get('CPUExecutionProvider')![0]).toEqual({ opType: 'Cast', name: 'cast_node' });
  });

  it('reads the single-provider form, and says null when the log has no placement block', () => {
    const all = parsePlacementLog([line('Node placements'), line(' All nodes placed on [JsExecutionProvider]. Number of nodes: 3')])!;
    expect(all.get('JsExecutionProvider')).toHaveLength(3);
    expect(parsePlacementLog(BERT_LOG.slice(0, 1))).toBeNull();
  });
});

describe('classifyPlacement', () => {
  it('on the golden BERT graph: shape arithmetic apart, the attention-mask Cast is the one fallback', async () => {
    const topology = readOnnxTopology(buildEncoderGraph(await loadCheckpoint(folderFiles(golden))));
    expect(classifyPlacement(parsePlacementLog(BERT_LOG)!, topology)).toEqual({
      gpu: 3,
      cpuShape: ['Shape (seq_length_node)', 'Shape (batch_seq_node)', 'Concat (qkv_shape_node)', 'Concat (hidden_shape_node)', 'Concat (concat_node)'],
      cpuFallback: ['Cast (cast_node)'],
    });
  });

  it('follows values: shape-derived arithmetic is shape work, anything reading tensor contents is a fallback', () => {
    const g = new GraphBuilder('classify');
    const ids = g.input('ids', OnnxDataType.Int64, ['b', 'l']);
    const x = g.input('x', OnnxDataType.Float, ['b', 'l']);
    const length = g.op('Gather', [g.op('Shape', [x], {}, { name: 'shape' }), g.int64([1], [])], { axis: attr.int(0) }, { name: 'length' });
    const positions = g.op('Range', [g.int64([0], []), length, g.int64([1], [])], {}, { name: 'positions' });
    const idsPlusOne = g.op('Add', [ids, g.int64([1], [])], {}, { name: 'ids_plus_one' });
    const window = g.op('Greater', [positions, g.int64([8], [])], {}, { name: 'window' });
    const y = g.op('Where', [window, x, g.op('Cast', [idsPlusOne], { to: attr.int(OnnxDataType.Float) }, { name: 'cast_ids' })]);
    g.output(y, 'y', OnnxDataType.Float, ['b', 'l']);
    const topology = readOnnxTopology(g.build());
    const cpu = (names: string[]): PlacedNode[] =>
      names.map((name) => ({ name, opType: topology.nodes.find((n) => n.name === name)?.opType ?? name.replace(/_token_\d+$/, '') }));
    const placements = new Map([
      ['JsExecutionProvider', cpu(['where_node'])],
      ['CPUExecutionProvider', cpu(['shape_node', 'length_node', 'positions_node', 'window_node', 'ids_plus_one_node', 'cast_ids_node', 'Gather_token_3', 'FusedMatMul'])],
    ]);
    expect(classifyPlacement(placements, topology)).toEqual({
      gpu: 1,
      cpuShape: ['Shape (shape_node)', 'Gather (length_node)', 'Range (positions_node)', 'Greater (window_node)', 'Gather (Gather_token_3)'],
      // A node onnxruntime created (not in our graph) counts as shape work only for shape-plumbing ops.
      cpuFallback: ['Add (ids_plus_one_node)', 'Cast (cast_ids_node)', 'FusedMatMul (FusedMatMul)'],
    });
  });
});

describe('the console tap', () => {
  afterEach(() => vi.restoreAllMocks());

  it('records console output only during a capture, and keeps onnxruntime verbose/info lines quiet', async () => {
    const forwarded: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void forwarded.push(args));
    installOrtLogTap();
    console.error('before');
    const { value, lines } = await captureOrtLog(async () => {
      console.error(BERT_LOG[0]);
      console.error(BERT_LOG.at(-1));
      console.error('[W:onnxruntime:, x.cc:1 F] something else');
      return 42;
    });
    console.error('after');
    expect(value).toBe(42);
    expect(lines).toEqual([BERT_LOG[0], BERT_LOG.at(-1), '[W:onnxruntime:, x.cc:1 F] something else']);
    expect(forwarded).toEqual([['before'], ['[W:onnxruntime:, x.cc:1 F] something else'], ['after']]);
  });

  it('serialises captures, so two sessions created at once keep their logs apart', async () => {
    installOrtLogTap();
    const v = (text: string): string => `[V:onnxruntime:, test.cc:1 Test] ${text}`;
    const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
    const [a, b] = await Promise.all([
      captureOrtLog(async () => (console.log(v('a1')), await tick(), console.log(v('a2')))),
      captureOrtLog(async () => (console.log(v('b1')), await tick(), console.log(v('b2')))),
    ]);
    expect(a.lines).toEqual([v('a1'), v('a2')]);
    expect(b.lines).toEqual([v('b1'), v('b2')]);
  });
});
