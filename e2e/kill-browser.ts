import { execFileSync } from 'node:child_process';
import { expect } from '@playwright/test';

/** SIGKILLs the browser process launched on `profile` (its command line names the profile folder). */
export function killBrowser(profile: string): void {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const main = ps
    .split('\n')
    .filter((line) => line.includes(`--user-data-dir=${profile}`) && !line.includes('--type='))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
  expect(main.length).toBeGreaterThan(0);
  for (const pid of main) process.kill(pid, 'SIGKILL');
}
