/**
 * At most `limit` tasks at a time; the rest wait in FIFO order. Bounds bcrypt
 * work so a burst of sign-ins cannot monopolise the event loop.
 */
export class Semaphore {
  #active = 0;
  readonly #waiting: Array<() => void> = [];
  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((r) => this.#waiting.push(r));
    this.#active += 1;
    try {
      return await task();
    } finally {
      this.#active -= 1;
      this.#waiting.shift()?.();
    }
  }

  get pending(): number {
    return this.#waiting.length;
  }
}
