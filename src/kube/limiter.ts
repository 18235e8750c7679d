// At most N async jobs at once, the rest wait in FIFO order. The waiting line is yocto-queue (a
// linked list, p-limit's own queue): an array's shift() moves every element behind it, and the
// simulator queues tens of thousands of writes at 50,000 nodes, which made each release O(n).
import Queue from 'yocto-queue';

export class Limiter {
  #active = 0;
  readonly #waiting = new Queue<() => void>();
  constructor(private readonly max: number) {}

  get pending(): number { return this.#waiting.size; }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((r) => this.#waiting.enqueue(r));
    this.#active++;
    try {
      return await job();
    } finally {
      this.#active--;
      this.#waiting.dequeue()?.();
    }
  }
}
