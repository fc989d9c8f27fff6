import { describe, expect, it } from "vitest";
import { Semaphore } from "../../../../storage/users/semaphore.ts";

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("Semaphore", () => {
  it("runs at most `limit` tasks at once", async () => {
    const s = new Semaphore(2);
    let active = 0;
    let most = 0;
    const task = async () => {
      active += 1;
      most = Math.max(most, active);
      await flush();
      active -= 1;
    };
    await Promise.all(Array.from({ length: 10 }, () => s.run(task)));
    expect(most).toBe(2);
  });

  it("lets waiting tasks in first come, first served", async () => {
    const s = new Semaphore(1);
    const gate = deferred();
    const order: number[] = [];
    const first = s.run(() => gate.promise);
    const rest = [1, 2, 3].map((n) => s.run(async () => void order.push(n)));
    await flush();
    expect(s.pending).toBe(3);
    expect(order).toEqual([]);
    gate.resolve();
    await Promise.all([first, ...rest]);
    expect(order).toEqual([1, 2, 3]);
    expect(s.pending).toBe(0);
  });

  it("returns the task's result", async () => {
    await expect(new Semaphore(1).run(async () => 42)).resolves.toBe(42);
  });

  it("frees the slot when a task fails", async () => {
    const s = new Semaphore(1);
    await expect(s.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(s.run(async () => "ok")).resolves.toBe("ok");
  });
});
