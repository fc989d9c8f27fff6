import { describe, expect, it } from "vitest";
import { adminRoutes } from "../../../src/http/admin.ts";
import { openApiDocument } from "../../../src/http/openapi.ts";
import type { Operations } from "../../../src/ops/operations.ts";

const METHODS = ["get", "put", "post", "delete", "patch"];

/** `METHOD /path` of every endpoint adminRoutes() registers (middleware excluded). */
function registered(): string[] {
  const app = adminRoutes({} as Operations, () => "token");
  return [...new Set(app.routes.filter((r) => METHODS.includes(r.method.toLowerCase())).map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`))].sort();
}

function documented(): string[] {
  return Object.entries(openApiDocument.paths)
    .flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

describe("the admin API's OpenAPI document", () => {
  it("is OpenAPI 3.1 served under /admin", () => {
    expect(openApiDocument.openapi).toBe("3.1.0");
    expect(openApiDocument.servers).toEqual([{ url: "/admin" }]);
  });

  it("lists every admin route, and only those", () => {
    expect(documented()).toEqual(registered());
  });

  it("marks every operation but the document itself as needing the bearer token, with a 401", () => {
    for (const [path, ops] of Object.entries(openApiDocument.paths)) {
      for (const [method, op] of Object.entries(ops) as Array<[string, { security?: unknown; responses: Record<string, unknown> }]>) {
        if (path === "/openapi.json") expect(op.security, `${method} ${path}`).toBeUndefined();
        else {
          expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
          expect(op.responses["401"], `${method} ${path}`).toBeDefined();
        }
      }
    }
  });
});
