import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';

// Runs on the dev server only (playwright.config.ts: `*.dev.spec.ts`): it imports SDK modules from source through
// Vite's /@fs/ route, which a production build does not have.

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady === true);
});

test('outputs can stay on the GPU, on the device onnxruntime exposes (module test)', async ({ page }) => {
  const src = `/@fs${resolve(import.meta.dirname, '../packages/colbert-web/src/model')}`;
  const result = await page.evaluate(async (src) => {
    const { GraphBuilder } = await import(/* @vite-ignore */ `${src}/graph/graph-builder.ts`);
    const { OnnxDataType } = await import(/* @vite-ignore */ `${src}/graph/onnx-proto.ts`);
    const { createOrtSession, webGpuDevice } = await import(/* @vite-ignore */ `${src}/ort-session.ts`);
    // The very onnxruntime-web module instance ort-session.ts imported (the dev server gave it a versioned URL).
    const ortUrl = performance.getEntriesByType('resource').map((e) => e.name).find((url) => url.includes('/onnxruntime-web/dist/'))!;
    const ort = await import(/* @vite-ignore */ ortUrl);
    // y = x · W, W = [[1, 2], [3, 4]].
    const g = new GraphBuilder('gpu-out');
    const x = g.input('x', OnnxDataType.Float, ['n', 2]);
    g.output(g.op('MatMul', [x, g.float32([1, 2, 3, 4], [2, 2])]), 'y', OnnxDataType.Float, ['n', 2]);
    const session = await createOrtSession(g.build(), { backend: 'webgpu', outputLocation: 'gpu-buffer' });
    const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 0, 0, 1, 1, 1]), [3, 2]) });
    const device = webGpuDevice();
    const onDevice = y.location === 'gpu-buffer' && y.gpuBuffer instanceof GPUBuffer && device instanceof GPUDevice;
    const values = Array.from((await y.getData(true)) as Float32Array);
    await session.release();
    return { location: session.outputLocation, onDevice, values, backend: session.backend.name, fallbackNodes: session.backend.fallbackNodes };
  }, src);
  expect(result).toEqual({ location: 'gpu-buffer', onDevice: true, values: [1, 2, 3, 4, 4, 6], backend: 'webgpu', fallbackNodes: 0 });
});
