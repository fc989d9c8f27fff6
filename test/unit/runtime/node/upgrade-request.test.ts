import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { UpgradeRequest } from "../../../../src/runtime/node/upgrade-request.ts";

describe("UpgradeRequest", () => {
  it("routes and answers header reads like a Request", async () => {
    const app = new Hono();
    app.get("/ws", (c) => c.json({ path: c.req.path, upgrade: c.req.header("upgrade"), url: c.req.url, method: c.req.method }));
    const req = new UpgradeRequest("http://localhost/ws?x=1", new Headers({ upgrade: "websocket" }));
    const res = await app.fetch(req as unknown as Request);
    expect(await res.json()).toEqual({ path: "/ws", upgrade: "websocket", url: "http://localhost/ws?x=1", method: "GET" });
  });

  it("is a Request for anything else: a body, the signal, a clone", async () => {
    const req = new UpgradeRequest("http://localhost/ws", new Headers({ "x-a": "1" }));
    expect(req).toBeInstanceOf(Request);
    const r = req as unknown as Request;
    expect(r.body).toBeNull();
    expect(r.bodyUsed).toBe(false);
    expect(r.signal.aborted).toBe(false);
    expect(await r.text()).toBe("");
    expect(r.clone().headers.get("x-a")).toBe("1");
  });
});
