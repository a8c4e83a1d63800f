import { describe, expect, it } from 'vitest';
import type { WebGpuProbe } from './webgpu-support.js';
import { chooseBackend, probeWebGpu, summariseAdapter, watchDeviceLoss } from './webgpu-support.js';

const hardware: WebGpuProbe = { available: true, adapter: { vendor: 'nvidia', architecture: 'ada', isFallbackAdapter: false } };
const software: WebGpuProbe = { available: true, adapter: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } };
const noAdapter: WebGpuProbe = { available: false, reason: 'no-adapter' };
const noApi: WebGpuProbe = { available: false, reason: 'no-webgpu-api' };

describe('chooseBackend', () => {
  it.each([
    ['auto', hardware, { backend: 'webgpu' }],
    ['auto', software, { backend: 'wasm', webgpuSkipped: 'software-adapter' }],
    ['auto', noAdapter, { backend: 'wasm', webgpuSkipped: 'no-adapter' }],
    ['auto', noApi, { backend: 'wasm' }],
    ['webgpu', hardware, { backend: 'webgpu' }],
    ['webgpu', software, { backend: 'webgpu' }],
    ['webgpu', noAdapter, { backend: 'unavailable', reason: 'no-adapter' }],
    ['webgpu', noApi, { backend: 'unavailable', reason: 'no-webgpu-api' }],
    ['wasm', hardware, { backend: 'wasm' }],
    ['wasm', undefined, { backend: 'wasm' }],
  ] as const)('%s with %o → %o', (preference, probe, expected) => {
    expect(chooseBackend(preference, probe)).toEqual(expected);
  });
});

describe('probeWebGpu', () => {
  it('reports no WebGPU API under Node', async () => {
    expect(await probeWebGpu()).toEqual({ available: false, reason: 'no-webgpu-api' });
  });
});

describe('summariseAdapter', () => {
  it('keeps vendor, architecture, a non-empty description and the fallback flag (from the info or, older, the adapter)', () => {
    const info = { vendor: 'google', architecture: 'swiftshader', description: '', device: '', isFallbackAdapter: true } as unknown as GPUAdapterInfo;
    expect(summariseAdapter(info)).toEqual({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true });
    const older = { vendor: 'intel', architecture: 'gen-12lp', description: 'Iris Xe', device: '' } as unknown as GPUAdapterInfo;
    expect(summariseAdapter(older, { isFallbackAdapter: false } as unknown as GPUAdapter)).toEqual({ vendor: 'intel', architecture: 'gen-12lp', description: 'Iris Xe', isFallbackAdapter: false });
    expect(summariseAdapter(undefined)).toEqual({ vendor: '', architecture: '', isFallbackAdapter: false });
  });
});

describe('watchDeviceLoss', () => {
  function fakeDevice(): { device: GPUDevice; lose: (reason: string) => void } {
    let lose!: (info: GPUDeviceLostInfo) => void;
    const lost = new Promise<GPUDeviceLostInfo>((resolve) => (lose = resolve));
    return { device: { lost } as GPUDevice, lose: (reason) => lose({ reason, message: `lost: ${reason}` } as GPUDeviceLostInfo) };
  }

  it('reports a loss nobody asked for', async () => {
    const { device, lose } = fakeDevice();
    const watch = watchDeviceLoss(device);
    expect(watch.isLost()).toBe(false);
    lose('unknown');
    expect(await watch.lost).toMatchObject({ reason: 'unknown' });
    expect(watch.isLost()).toBe(true);
  });

  it('stays quiet about a loss announced with expect()', async () => {
    const { device, lose } = fakeDevice();
    const watch = watchDeviceLoss(device);
    watch.expect();
    lose('destroyed');
    const settled = await Promise.race([watch.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('quiet'), 20))]);
    expect(settled).toBe('quiet');
    expect(watch.isLost()).toBe(false);
  });
});
