// Exposes the SDK and the golden-reference helpers to Playwright specs (e2e/*.spec.ts), which drive them
// with page.evaluate. A test page, not part of the demo.
import * as sdk from 'colbert-web';
import * as golden from '../../packages/colbert-web/src/testing/golden-reference.js';
import * as goldenPooled from '../../packages/colbert-web/src/testing/golden-pooled.js';
import * as bench from './bench.js';
import * as crash from './compressed-crash.js';

declare global {
  interface Window {
    colbert: typeof sdk;
    golden: typeof golden;
    goldenPooled: typeof goldenPooled;
    bench: typeof bench;
    crash: typeof crash;
    harnessReady: boolean;
  }
}

window.colbert = sdk;
window.golden = golden;
window.goldenPooled = goldenPooled;
window.bench = bench;
window.crash = crash;
window.harnessReady = true;
