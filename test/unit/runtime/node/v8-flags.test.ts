import { execFileSync } from "node:child_process";
import { beforeEach, describe, expect, it, vi } from "vitest";

const setFlagsFromString = vi.fn();
vi.mock("node:v8", () => ({ setFlagsFromString }));
const { PRETENURING_FLAG, tuneV8 } = await import("../../../../src/runtime/node/v8-flags.ts");

describe("tuneV8", () => {
  beforeEach(() => setFlagsFromString.mockClear());

  it("turns allocation-site pretenuring off by default", () => {
    expect(tuneV8([])).toBe(true);
    expect(tuneV8(["--max-old-space-size=4096"])).toBe(true);
    expect(setFlagsFromString.mock.calls).toEqual([[PRETENURING_FLAG], [PRETENURING_FLAG]]);
  });

  it("leaves it as the node command line set it, either way", () => {
    for (const arg of ["--allocation-site-pretenuring", "--no-allocation-site-pretenuring", "--allocation_site_pretenuring"]) {
      expect(tuneV8([arg])).toBe(false);
    }
    expect(setFlagsFromString).not.toHaveBeenCalled();
  });

  it("names a flag this node's V8 has (an unknown one would be ignored without a word)", () => {
    const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
    expect(options).toContain(`${PRETENURING_FLAG.replace("--no-", "--")} (`);
    expect(() => execFileSync(process.execPath, [PRETENURING_FLAG, "-e", "0"])).not.toThrow();
  });
});
