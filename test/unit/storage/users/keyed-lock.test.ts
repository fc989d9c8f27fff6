import { describe, expect, it } from "vitest";
import { KeyedLock } from "../../../../storage/users/keyed-lock.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("KeyedLock", () => {
  it("runs work for one key one after another, in call order", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const job = (name: string) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([lock.run("k", job("a")), lock.run("k", job("b")), lock.run("k", job("c"))]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("runs work for different keys concurrently", async () => {
    const lock = new KeyedLock();
    let active = 0;
    let most = 0;
    const job = async () => {
      active += 1;
      most = Math.max(most, active);
      await tick();
      active -= 1;
    };
    await Promise.all([lock.run("a", job), lock.run("b", job), lock.run("c", job)]);
    expect(most).toBe(3);
  });

  it("passes a failure to its caller and keeps the key usable", async () => {
    const lock = new KeyedLock();
    const failed = lock.run("k", async () => {
      throw new Error("boom");
    });
    const next = lock.run("k", async () => "after");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("after");
  });

  it("does not start the next job before a failing one has settled", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const a = lock.run("k", async () => {
      await tick();
      events.push("a failed");
      throw new Error("a");
    });
    const b = lock.run("k", async () => void events.push("b ran"));
    await Promise.allSettled([a, b]);
    expect(events).toEqual(["a failed", "b ran"]);
  });
});
