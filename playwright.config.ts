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

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: { browserName: 'chromium', launchOptions: { executablePath: chromium, args } },
  projects: [
    { name: 'dev', use: { baseURL: 'http://localhost:5173' } },
    { name: 'build', use: { baseURL: 'http://localhost:4173' }, testIgnore: '**/*.dev.spec.ts' },
  ],
  webServer: [
    { command: 'npx vite --logLevel warn', url: 'http://localhost:5173', reuseExistingServer: !process.env['CI'], timeout: 180_000 },
    { command: 'npx vite build --logLevel warn && npx vite preview --logLevel warn', url: 'http://localhost:4173', reuseExistingServer: !process.env['CI'], timeout: 300_000 },
  ],
});
