import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script without type declarations
import { fingerprint, isFresh } from "../../../scripts/build.mjs";
import { ROOT } from "../../helpers/process.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

describe("npm start without a build step", () => {
  it("builds once at install (prepare) and, before a start, only when the sources changed (prestart); start itself runs node", () => {
    expect(pkg.scripts.prepare).toBe("node scripts/build.mjs --if-stale");
    expect(pkg.scripts.prestart).toBe("node scripts/build.mjs --if-stale");
    expect(pkg.scripts.start).toMatch(/^node [^&|;]*dist\/src\/main\.js$/);
  });
});

describe("the build's freshness check", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "chatd-build-"));
    for (const dir of ["src", "actors", "storage", "scripts"]) mkdirSync(join(root, dir));
    writeFileSync(join(root, "src", "main.ts"), "export {};\n");
    writeFileSync(join(root, "actors", "a.ts"), "export {};\n");
    writeFileSync(join(root, "storage", "s.ts"), "export {};\n");
    for (const file of ["tsconfig.json", "tsconfig.build.json", "scripts/build.mjs"]) cpSync(join(ROOT, file), join(root, file));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const stamp = (value: string) => {
    mkdirSync(join(root, "dist", "src"), { recursive: true });
    writeFileSync(join(root, "dist", "src", "main.js"), "");
    writeFileSync(join(root, "dist", "build-stamp.json"), JSON.stringify({ fingerprint: value }));
  };

  it("is stale with no build, fresh right after one, stale again when a source changes", () => {
    expect(isFresh(root)).toBe(false);
    stamp(fingerprint(root));
    expect(isFresh(root)).toBe(true);
    writeFileSync(join(root, "storage", "s.ts"), "export const x = 1;\n");
    expect(isFresh(root)).toBe(false);
  });

  it("sees a new or removed file, and a changed tsconfig", () => {
    const before = fingerprint(root);
    writeFileSync(join(root, "src", "new.ts"), "export {};\n");
    expect(fingerprint(root)).not.toBe(before);
    rmSync(join(root, "src", "new.ts"));
    expect(fingerprint(root)).toBe(before);
    writeFileSync(join(root, "tsconfig.build.json"), "{}");
    expect(fingerprint(root)).not.toBe(before);
  });

  it("ignores modification times (a git checkout rewrites them)", () => {
    const before = fingerprint(root);
    utimesSync(join(root, "src", "main.ts"), new Date(0), new Date(0));
    expect(fingerprint(root)).toBe(before);
  });
});
