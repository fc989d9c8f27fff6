import { afterEach, describe, expect, it } from "vitest";
import { World } from "../helpers/harness.ts";
import { rawRequest } from "./raw-http.ts";

const TRICKS = [
  "//admin/uptime",
  "/admin//uptime",
  "/admin/%2e%2e/admin/uptime",
  "/admin/%2e%2e/",
  "/%61dmin/uptime",
  "/%41DMIN/uptime",
  "/admin%2fuptime",
  "/admin%2Fuptime",
  "/ADMIN/uptime",
  "/admin/./uptime",
  "/x/../admin/uptime",
  "/admin/uptime/",
  "/admin/uptime;x",
  "/admin/uptime%00",
  "/admin\\uptime",
];

describe("admin path tricks", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it.each(TRICKS)("never serves %s without the bearer token", async (path) => {
    const d = await world.daemon();
    const r = await rawRequest(d.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    // Either refused, or resolved (as URLs are) to something outside /admin: the public page.
    const outcome = r.status === 200 && /content-type: text\/html/i.test(r.data) ? "page" : r.status;
    expect([400, 401, 404, "page"]).toContain(outcome);
    expect(r.data).not.toContain("uptimeSeconds");
  });

  it("never runs a POST admin action reached by a trick path without the token", async () => {
    const d = await world.daemon();
    const r = await rawRequest(d.port, "POST //admin/stop HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    expect([400, 401, 404]).toContain(r.status);
    expect(d.daemon.state).toBe("running");
  });
});
