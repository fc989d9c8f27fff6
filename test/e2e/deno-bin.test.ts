import { afterEach, describe, expect, it } from "vitest";
import { denoBin } from "../helpers/runtimes.ts";

describe("finding deno for the runtime tests", () => {
  const saved = { PATH: process.env.PATH, DENO_BIN: process.env.DENO_BIN };
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.DENO_BIN === undefined) delete process.env.DENO_BIN;
    else process.env.DENO_BIN = saved.DENO_BIN;
  });

  it("fails with a message that says how to install it when deno is not on PATH and DENO_BIN is unset", () => {
    process.env.PATH = "/nonexistent";
    delete process.env.DENO_BIN;
    expect(() => denoBin()).toThrow(/deno not found: set DENO_BIN or put deno 2 on PATH .*npm install --prefix/);
  });

  it("uses DENO_BIN when it is set", () => {
    process.env.DENO_BIN = "/opt/deno/bin/deno";
    expect(denoBin()).toBe("/opt/deno/bin/deno");
  });
});
