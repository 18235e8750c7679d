// At most N async jobs at once, the rest wait in FIFO order. Tiny enough that a dependency
// (p-limit) would cost more than it saves.
export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  get pending(): number { return this.#waiting.length; }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((r) => this.#waiting.push(r));
    this.#active++;
    try {
      return await job();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
