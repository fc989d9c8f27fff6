import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adminRoutes } from "../../../src/http/admin.ts";
import type { Operations } from "../../../src/ops/operations.ts";

/**
 * Every HTTP route is documented, and every documented route exists: the admin
 * API in docs/operations.md (a curl example each; openapi.test.ts keeps the
 * OpenAPI document equal to the same routes), the public ones in the docs.
 */
const root = join(import.meta.dirname, "..", "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const METHODS = ["get", "put", "post", "delete", "patch"];

const adminRegistered = [
  ...new Set(
    adminRoutes({} as Operations, () => "token")
      .routes.filter((r) => METHODS.includes(r.method.toLowerCase()))
      .map((r) => `${r.method.toUpperCase()} /admin${r.path.replace(/:(\w+)/g, "{$1}")}`),
  ),
].sort();

/** `METHOD /admin/path` of every curl example in operations.md, path parameters as `{param}` matched by shape. */
function curlExamples(markdown: string): string[] {
  const out: string[] = [];
  for (const line of markdown.split("\n")) {
    if (!line.startsWith("curl ")) continue;
    const url = /localhost:8080(\/admin\/[^'?\s]*)/.exec(line);
    if (!url) continue;
    const method = /-X (\w+)/.exec(line)?.[1] ?? "GET";
    out.push(`${method} ${url[1]}`);
  }
  return out;
}

/** Does the concrete example `METHOD /admin/users/alice/password` match the route `METHOD /admin/users/{name}/password`? */
const matches = (route: string, example: string) => new RegExp(`^${route.replace(/\{\w+\}/g, "[^/]+")}$`).test(example);

/** Routes the public app registers directly, read from the sources of src/http (`app.get("/path", ...)`). */
function publicRoutes(): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) for (const m of read(path).matchAll(/\bapp\.(get|post|put|delete|patch)\(\s*"(\/[^"]*)"/g)) out.add(`${m[1]!.toUpperCase()} ${m[2]!.replace(/:(\w+)/g, "{$1}")}`);
    }
  };
  walk("src/http");
  return [...out].sort();
}

describe("HTTP routes and the docs", () => {
  const operations = read("docs/operations.md");
  const examples = curlExamples(operations);

  it("finds the routes it checks", () => {
    expect(adminRegistered.length).toBeGreaterThan(15);
    expect(examples.length).toBeGreaterThan(15);
  });

  it("operations.md has a curl example for every admin route", () => {
    expect(adminRegistered.filter((route) => !examples.some((example) => matches(route, example)))).toEqual([]);
  });

  it("every admin curl example in operations.md is a route", () => {
    expect(examples.filter((example) => !adminRegistered.some((route) => matches(route, example)))).toEqual([]);
  });

  it("every public route is documented, as `METHOD /path`", () => {
    const docs = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)].map(read).join("\n");
    const routes = publicRoutes();
    expect(routes).toEqual(expect.arrayContaining(["GET /healthz", "GET /readyz", "GET /metrics", "GET /ws", "POST /files", "GET /files/{id}/{name}"]));
    expect(routes.filter((route) => !docs.includes(`\`${route}\``) && !docs.includes(`\`${route} `))).toEqual([]);
  });
});
