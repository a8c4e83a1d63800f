import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import type { BackendPreference } from '../protocol/encoder-api.js';
import { GraphBuilder } from './graph/graph-builder.js';
import { OnnxDataType } from './graph/onnx-proto.js';
import { createOrtSession, webGpuDevice } from './ort-session.js';

// Node has no WebGPU: these cover the policy's Node side. WebGPU itself is tested in Chromium (e2e/encoder-webgpu.spec.ts).

function doubler(): Uint8Array {
  const g = new GraphBuilder('double');
  g.output(g.op('Add', [g.input('x', OnnxDataType.Float, ['n']), 'x']), 'y', OnnxDataType.Float, ['n']);
  return g.build();
}

describe('createOrtSession under Node', () => {
  it("'auto' runs WASM, as the only backend (no reason to report), and keeps outputs on the CPU", async () => {
    const session = await createOrtSession(doubler(), { backend: 'auto', threads: 1, outputLocation: 'gpu-buffer' });
    try {
      expect(session.backend).toEqual({ name: 'wasm', threads: 1, simd: true });
      expect(session.outputLocation).toBe('cpu');
      const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2.5]), [2]) });
      expect(y!.location).toBe('cpu');
      expect(Array.from(y!.data as Float32Array)).toEqual([2, 5]);
      expect(webGpuDevice()).toBeUndefined();
    } finally {
      await session.release();
    }
  });

  it("'webgpu' without WebGPU is WEBGPU_UNAVAILABLE, naming the way out", async () => {
    const error = await createOrtSession(doubler(), { backend: 'webgpu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ColbertError);
    expect(error).toMatchObject({ code: ErrorCode.WebGpuUnavailable, subject: 'backend' });
    expect((error as Error).message).toContain("backend 'auto'");
  });

  it('an unknown backend is INVALID_INPUT', async () => {
    const error = await createOrtSession(doubler(), { backend: 'gpu' as BackendPreference }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput, subject: 'backend' });
  });
});
