#!/usr/bin/env node
/**
 * Builds dist/ (what `npm start` and the Docker image run): TypeScript through
 * tsc (incremental), plus the web page and the bcrypt worker copied as they are.
 * A fingerprint of the inputs (a hash of every source file) is written to
 * dist/build-stamp.json at the end.
 *
 * `--if-stale` (npm's `prepare` after `npm ci`, `prestart`, the tests' global
 * setup) builds only when that fingerprint differs from the sources: a start
 * never runs code older than the sources, and costs ~0.1 s when nothing changed.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const stampPath = (root) => join(root, "dist", "build-stamp.json");
const mainPath = (root) => join(root, "dist", "src", "main.js");
/** Everything that decides what dist/ holds. */
const INPUT_DIRS = ["src", "actors", "storage"];
const INPUT_FILES = ["tsconfig.json", "tsconfig.build.json", "scripts/build.mjs"];

/** A hash of every input's path and content (content, not mtime: a checkout rewrites mtimes). */
export function fingerprint(root = ROOT) {
  const hash = createHash("sha256");
  const files = [...INPUT_FILES];
  for (const dir of INPUT_DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push(relative(root, join(entry.parentPath ?? entry.path, entry.name)));
    }
  }
  for (const file of files.sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Whether dist/ was built from exactly the current sources. */
export function isFresh(root = ROOT) {
  try {
    return existsSync(mainPath(root)) && JSON.parse(readFileSync(stampPath(root), "utf8")).fingerprint === fingerprint(root);
  } catch {
    return false;
  }
}

function tscPath() {
  try {
    return createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  } catch {
    return undefined;
  }
}

export function build() {
  const print = (...a) => process.stderr.write(`${a.join(" ")}\n`);
  const before = fingerprint();
  const tsc = tscPath();
  if (!tsc) {
    print("chatd: cannot build dist/: TypeScript is not installed; run `npm ci` (it installs the dev dependencies and builds)");
    process.exit(1);
  }
  const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
  cpSync(join(ROOT, "src/web"), join(ROOT, "dist/src/web"), { recursive: true });
  cpSync(join(ROOT, "storage/users/bcrypt-worker.mjs"), join(ROOT, "dist/storage/users/bcrypt-worker.mjs"));
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  // The fingerprint from before compiling: a source edited during the build makes the next check rebuild.
  writeFileSync(stampPath(ROOT), `${JSON.stringify({ fingerprint: before, builtAt: new Date().toISOString() })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--if-stale")) {
    if (isFresh()) process.exit(0);
    const started = performance.now();
    process.stderr.write(existsSync(mainPath(ROOT)) ? "chatd: the sources changed since the last build; rebuilding dist/ ...\n" : "chatd: building dist/ ...\n");
    build();
    process.stderr.write(`chatd: built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } else {
    build();
  }
}
