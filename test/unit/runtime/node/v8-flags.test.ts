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

describe("the young-generation cap", () => {
  const ROOT = new URL("../../../../", import.meta.url);
  const FLAG = "--max-semi-space-size=8";

  it("is in npm start and deno task start alike (the Docker image runs what npm start runs)", async () => {
    const { readFileSync } = await import("node:fs");
    const pkg = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { scripts: { start: string } };
    const deno = JSON.parse(readFileSync(new URL("deno.json", ROOT), "utf8")) as { tasks: { start: string } };
    expect(pkg.scripts.start.split(" ")).toContain(FLAG);
    expect(deno.tasks.start).toMatch(/--v8-flags=\S*--max-semi-space-size=8\b/);
  });

  it("is a flag this node takes, and it caps the young generation", () => {
    const capped = (flags: string[]) =>
      Number(
        execFileSync(
          process.execPath,
          [...flags, "-e", "const k=[];for(let i=0;i<4e6;i++){k.push({i});if(k.length>3e5)k.splice(0,1e5)}console.log(require('v8').getHeapSpaceStatistics().find(s=>s.space_name==='new_space').space_size)"],
          { encoding: "utf8" },
        ),
      );
    expect(capped([FLAG])).toBeLessThanOrEqual(16 * 2 ** 20);
    expect(capped([])).toBeGreaterThan(16 * 2 ** 20);
  });
});
