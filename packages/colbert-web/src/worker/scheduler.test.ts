import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('Scheduler', () => {
  it('runs one task at a time; interactive tasks overtake queued background tasks', async () => {
    const scheduler = new Scheduler();
    const log: string[] = [];
    let active = 0;
    let openGate = (): void => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const task = (name: string) => async (): Promise<string> => {
      active++;
      expect(active).toBe(1);
      log.push(`start ${name}`);
      await (name === 'batch1' ? gate : tick());
      log.push(`end ${name}`);
      active--;
      return name;
    };
    const batches = [1, 2, 3].map((i) => scheduler.schedule('background', task(`batch${i}`)));
    await tick();
    expect(log).toEqual(['start batch1']);
    const search = scheduler.schedule('interactive', task('search'));
    openGate();
    expect(await search).toBe('search');
    await Promise.all(batches);
    expect(log).toEqual([
      'start batch1', 'end batch1',
      'start search', 'end search',
      'start batch2', 'end batch2',
      'start batch3', 'end batch3',
    ]);
  });

  it('a failing task rejects its caller and the queue goes on', async () => {
    const scheduler = new Scheduler();
    const failed = scheduler.schedule('background', () => Promise.reject(new Error('boom')));
    const next = scheduler.schedule('background', () => Promise.resolve(2));
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe(2);
    expect(scheduler.pending).toBe(0);
  });
});
