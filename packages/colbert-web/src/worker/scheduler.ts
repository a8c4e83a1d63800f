/**
 * One task at a time, highest priority first, FIFO within a priority. The worker encodes on one thread, so a
 * search can only overtake queued work between tasks: `add` queues each batch of documents as its own task,
 * and a search queued meanwhile runs before the next batch.
 */
export type Priority = 'interactive' | 'background';

interface Task {
  priority: Priority;
  run: () => Promise<void>;
}

export class Scheduler {
  private readonly queues: Record<Priority, Task[]> = { interactive: [], background: [] };
  private running = false;

  /** Runs `task` when its turn comes; resolves or rejects with its result. */
  schedule<T>(priority: Priority, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queues[priority].push({ priority, run: () => task().then(resolve, reject) });
      void this.pump();
    });
  }

  /** Tasks waiting (not the one running). */
  get pending(): number {
    return this.queues.interactive.length + this.queues.background.length;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const next = this.queues.interactive.shift() ?? this.queues.background.shift();
        if (!next) return;
        await next.run();
      }
    } finally {
      this.running = false;
    }
  }
}
