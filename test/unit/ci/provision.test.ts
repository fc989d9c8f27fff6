import { afterEach, describe, expect, it } from "vitest";
import { Missing, need } from "../../helpers/needs.ts";
import { missingVar, provideRedis, redisAnswers } from "../../helpers/provision.ts";

/** The test command's own set-up (test/helpers/provision.ts): a Redis when none answers, one line when none can be had. */
describe("provideRedis", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ["CHAT_TEST_REDIS_URL", "CHAT_TEST_REDIS_PORT", missingVar("redis"), "PATH"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("starts a private redis-server on a free port when nothing answers on the port it looks at, and stops it after", async () => {
    delete process.env.CHAT_TEST_REDIS_URL;
    process.env.CHAT_TEST_REDIS_PORT = "1";
    const stop = await provideRedis();
    const url = new URL(process.env.CHAT_TEST_REDIS_URL!);
    expect(url.port).not.toBe("6379");
    expect(await redisAnswers(Number(url.port))).toBe(true);
    stop();
    await expect.poll(() => redisAnswers(Number(url.port)), { timeout: 5000 }).toBe(false);
  });

  it("records one line saying what to install when no Redis answers and redis-server is not installed; need() throws it without a stack", async () => {
    delete process.env.CHAT_TEST_REDIS_URL;
    process.env.CHAT_TEST_REDIS_PORT = "1";
    process.env.PATH = "/nonexistent";
    await provideRedis();
    expect(process.env[missingVar("redis")]).toMatch(/^nothing answers on 127\.0\.0\.1:1 and redis-server is not installed: install it \(sudo apt-get install redis-server\)/);
    let thrown: unknown;
    try {
      need("redis");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Missing);
    expect((thrown as Error).stack).toBe(`Missing: ${process.env[missingVar("redis")]}`);
  });
});
