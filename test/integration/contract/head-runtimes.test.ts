import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { rawRequest } from "../../abuse/raw-http.ts";
import { spawnOn, type RuntimeName } from "../../helpers/runtimes.ts";

/**
 * A HEAD request is answered with the headers GET would get (RFC 9110), Content-Length
 * included, on both runtimes: Node sent none and Deno `Content-Length: 0` for a JSON answer.
 */
describe.each<RuntimeName>(["node", "deno"])("HEAD on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("gives the GET answer's Content-Length and no body", async () => {
    const p = await spawnOn(world, runtime);
    for (const path of ["/healthz", "/readyz", "/nope", "/"]) {
      const get = await fetch(`http://127.0.0.1:${p.port}${path}`);
      const length = (await get.arrayBuffer()).byteLength;
      const head = await rawRequest(p.port, `HEAD ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect({ path, status: head.status, length: /\r\ncontent-length: (\d+)\r\n/i.exec(head.data)?.[1] }).toEqual({ path, status: get.status, length: String(length) });
      expect(head.data.endsWith("\r\n\r\n")).toBe(true);
    }
  });
});
