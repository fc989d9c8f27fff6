import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * The import rules of docs/architecture.md, checked on the source tree so
 * they stay true. Each layer is a set of folders; a rule names what a layer
 * never imports.
 */

const ROOT = resolve(import.meta.dirname, "../..");

/** Every TypeScript file under the folder, relative to the root. */
function files(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mjs)$/.test(entry.name)) out.push(path);
    }
  };
  walk(folder);
  return out;
}

/** What a file imports: relative paths resolved against the root, packages and `node:` modules as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => (s.startsWith(".") ? relative(ROOT, resolve(ROOT, dirname(file), s)) : s));
}

/** Imports of the layer's files that match any of the forbidden prefixes, as `file -> import`. */
function violations(layer: string[], forbidden: string[], allowed: string[] = []): string[] {
  const found: string[] = [];
  for (const file of layer.flatMap(files)) {
    for (const spec of importsOf(file)) {
      if (allowed.includes(spec)) continue;
      if (forbidden.some((f) => spec === f || spec.startsWith(f.endsWith("/") || f.endsWith(":") ? f : `${f}/`))) found.push(`${file} -> ${spec}`);
    }
  }
  return found;
}

describe("the import rules of docs/architecture.md", () => {
  it("finds the imports it checks (the checker itself works)", () => {
    expect(importsOf("src/chat/service.ts")).toContain("src/chat/hub.ts");
    expect(importsOf("src/chat/service.ts")).toContain("storage/broker/types.ts");
    expect(violations(["src/chat"], ["storage/broker"])).not.toEqual([]);
  });

  it("storage never imports the chat, the protocol, accounts, actors, http, ops or runtimes", () => {
    expect(violations(["storage"], ["src/chat", "src/message", "src/accounts", "src/http", "src/ops", "src/runtime", "src/daemon.ts", "actors"])).toEqual([]);
  });

  it("the broker imports nothing of the chat that registers with it", () => {
    expect(violations(["storage/broker"], ["src"])).toEqual([]);
  });

  it("the protocol (src/message) imports nothing of the server", () => {
    const own = (v: string) => v.includes("-> src/message/") || v.includes("-> src/unicode/");
    expect(violations(["src/message"], ["src", "storage", "actors", "node:"]).filter((v) => !own(v))).toEqual([]);
  });

  it("Unicode data (src/unicode: scripts, confusable skeletons) imports nothing else, so stores and the protocol may both use it", () => {
    expect(violations(["src/unicode"], ["src", "storage", "actors", "node:"]).filter((v) => !v.includes("-> src/unicode/"))).toEqual([]);
  });

  it("the domain (chat, accounts) never imports http, ops, runtimes, actors or the daemon", () => {
    expect(violations(["src/chat", "src/accounts"], ["src/http", "src/ops", "src/runtime", "src/daemon.ts", "src/run.ts", "actors"])).toEqual([]);
  });

  it("the chat reaches storage only through its interfaces and errors, never an implementation", () => {
    const interfaces = [
      "storage/broker/types.ts",
      "storage/bus/types.ts",
      "storage/chatlog/types.ts",
      "storage/chatlog/ids.ts",
      "storage/chatlog/room-keys.ts",
      "storage/chatlog/kept.ts",
      "storage/presence/types.ts",
      "storage/users/types.ts",
      "storage/rooms/types.ts",
      "storage/errors.ts",
    ];
    expect(violations(["src/chat"], ["storage"], interfaces)).toEqual([]);
  });

  it("the core (protocol, chat, search, actors) uses web standards: no node: modules", () => {
    expect(violations(["src/message", "src/chat", "src/search", "actors"], ["node:"])).toEqual([]);
  });

  it("search (src/search) reads the log only through its interfaces, and knows nothing of the chat", () => {
    const interfaces = ["storage/chatlog/types.ts", "storage/chatlog/kept.ts", "storage/chatlog/ids.ts"];
    expect(violations(["src/search"], ["storage", "src/chat", "src/http", "src/ops", "src/runtime", "src/daemon.ts", "actors"], interfaces)).toEqual([]);
  });

  it("the IRC gateway (src/irc) uses web standards and reaches runtimes only through their types, storage only through ids", () => {
    expect(violations(["src/irc"], ["node:", "src/http", "src/ops", "src/daemon.ts", "src/run.ts", "src/runtime/node", "src/runtime/deno"])).toEqual([]);
    expect(violations(["src/irc"], ["storage"], ["storage/chatlog/ids.ts"])).toEqual([]);
    expect(violations(["src/chat", "src/message", "actors"], ["src/irc"])).toEqual([]);
  });

  it("actors never import http, ops, runtimes or storage", () => {
    expect(violations(["actors"], ["src/http", "src/ops", "src/runtime", "storage"])).toEqual([]);
  });

  it("config never imports http, the chat, ops or runtimes", () => {
    expect(violations(["src/config"], ["src/http", "src/chat", "src/ops", "src/runtime", "storage"])).toEqual([]);
  });

  it("http and ops never import a runtime adapter (only its types) or a storage implementation", () => {
    const layer = ["src/http", "src/ops"];
    expect(violations(layer, ["src/runtime/node", "src/runtime/deno"])).toEqual([]);
    const storageTypes = ["storage/broker/types.ts", "storage/chatlog/types.ts", "storage/users/types.ts", "storage/files/types.ts", "storage/files/ids.ts", "storage/create.ts", "storage/errors.ts"];
    expect(violations(layer, ["storage"], storageTypes)).toEqual([]);
  });

  it("http and ops get narrow interfaces: no import of the daemon, no reaching into the chat's hub", () => {
    for (const file of ["src/http/app.ts", "src/http/readiness.ts", "src/http/metrics.ts", "src/ops/reload.ts"]) {
      expect(importsOf(file), file).not.toContain("src/daemon.ts");
    }
    const reaching = ["src/http", "src/ops", "src/daemon.ts"]
      .flatMap((f) => (f.endsWith(".ts") ? [f] : files(f)))
      .filter((f) => /\.hub\b/.test(readFileSync(join(ROOT, f), "utf8")));
    expect(reaching).toEqual([]);
  });
  it("files (src/files) never import the chat, http, ops, runtimes, actors or the daemon", () => {
    expect(violations(["src/files"], ["src/chat", "src/http", "src/ops", "src/runtime", "src/daemon.ts", "src/run.ts", "actors"])).toEqual([]);
  });

  it("logging (src/log.ts, src/log-batch.ts) imports nothing else of the server", () => {
    for (const file of ["src/log.ts", "src/log-batch.ts"]) {
      expect(importsOf(file).filter((i) => /^(src|storage|actors)\//.test(i) && !/^src\/log(-batch)?\.ts$/.test(i)), file).toEqual([]);
    }
  });

  it("the web page (src/web) imports nothing outside itself but its vendored markdown-it", () => {
    const page = readdirSync(join(ROOT, "src/web")).filter((f) => f.endsWith(".js"));
    expect(page.length).toBeGreaterThan(10);
    for (const file of page) {
      const specs = [...readFileSync(join(ROOT, "src/web", file), "utf8").matchAll(/\bfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);
      expect(specs.filter((spec) => !/^\.\/[\w-]+\.js$/.test(spec) && spec !== "./vendor/markdown-it.js"), file).toEqual([]);
    }
  });

  it("a stored room event reaches the hub only from the broker's handler, and is published only by publishThenAck or an operator's deletion", () => {
    const using = (pattern: RegExp) => ["src", "actors"].flatMap(files).filter((f) => pattern.test(readFileSync(join(ROOT, f), "utf8")));
    expect(using(/\bhub\.deliver\(/)).toEqual(["src/chat/service.ts"]);
    expect(using(/\bbroker\.publish\(/).sort()).toEqual(["src/chat/handlers/messages.ts", "src/chat/operator-changes.ts"]);
  });

  it("docs/architecture.md names every source file over 300 lines", () => {
    const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Files over 300 lines"));
    const long = ["src", "storage", "actors"].flatMap(files).filter((f) => f.endsWith(".ts") && readFileSync(join(ROOT, f), "utf8").split("\n").length - 1 > 300);
    expect(long.length).toBeGreaterThan(0);
    expect(long.filter((f) => !section.includes(`\`${f}\``))).toEqual([]);
  });
});
