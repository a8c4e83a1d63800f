/** A harness page of the demo in Chromium, served by a Vite dev server of its own, for the browser benchmarks. */
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { createServer } from 'vite';

/**
 * Serves the demo on `port` (cross-origin isolated, as vite.config.ts sets), opens `path` in /usr/bin/chromium
 * (or $CHROMIUM_PATH), waits for `ready` to hold in the page, runs `use`, and closes both.
 *
 * @example
 * await withHarnessPage('/harness/cpu-scorer.html', 5198, () => window.cpuScorerReady === true, async (page) => { … });
 */
export async function withHarnessPage(path: string, port: number, ready: () => boolean, use: (page: Page) => Promise<void>): Promise<void> {
  const server = await createServer({ configFile: join(import.meta.dirname, '../vite.config.ts'), logLevel: 'warn', server: { port, strictPort: true } });
  await server.listen();
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}${path}`);
    await page.waitForFunction(ready, undefined, { timeout: 120_000 });
    await use(page);
  } finally {
    await browser.close();
    await server.close();
  }
}
