import { defineConfig } from '@playwright/test';

/** Debian's Chromium; `npx playwright install` cannot download here. */
const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const args = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

const devPort = process.env['E2E_DEV_PORT'] ?? '5173';
const buildPort = process.env['E2E_BUILD_PORT'] ?? '4173';

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: { browserName: 'chromium', launchOptions: { executablePath: chromium, args } },
  projects: [
    // What users ship is the production build: every spec runs against it. The dev server (`npm run dev`, the
    // README's demo command) gets the playground walk-through and the specs that need unbundled modules.
    { name: 'dev', use: { baseURL: `http://localhost:${devPort}` }, testMatch: ['**/demo.spec.ts', '**/*.dev.spec.ts'] },
    { name: 'build', use: { baseURL: `http://localhost:${buildPort}` }, testIgnore: '**/*.dev.spec.ts' },
  ],
  webServer: [
    { command: 'npx vite --logLevel warn', url: `http://localhost:${devPort}`, reuseExistingServer: !process.env['CI'], timeout: 180_000 },
    { command: 'npx vite build --logLevel warn && npx vite preview --logLevel warn', url: `http://localhost:${buildPort}`, reuseExistingServer: !process.env['CI'], timeout: 300_000 },
  ],
});
