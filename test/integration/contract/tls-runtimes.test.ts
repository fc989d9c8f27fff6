import { connect } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { makeCertificate } from "../../helpers/tls.ts";
import { spawnOn, type RuntimeName } from "../../helpers/runtimes.ts";

/**
 * docs/runtimes.md, "HTTP/2 over TLS": Node serves HTTP/1.1 alone; `Deno.serve` offers HTTP/2
 * by ALPN next to it (it has no setting to turn it off), so a client offering `h2` gets it.
 */
describe.each<RuntimeName>(["node", "deno"])("TLS on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers ALPN h2,http/1.1 with http/1.1 on Node and h2 on Deno, and http/1.1 alone with http/1.1", async () => {
    const dir = await world.tempDir();
    const cert = makeCertificate(dir);
    const p = await spawnOn(world, runtime, { env: { CHAT_TLS_CERT: cert.cert, CHAT_TLS_KEY: cert.key }, dir });
    const alpn = (offer: string[]) =>
      new Promise<string | false | null>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port: p.port, ca: cert.pem, servername: "localhost", ALPNProtocols: offer }, () => {
          resolve(socket.alpnProtocol);
          socket.end();
        }).on("error", reject);
      });
    expect(await alpn(["h2", "http/1.1"])).toBe(runtime === "deno" ? "h2" : "http/1.1");
    expect(await alpn(["http/1.1"])).toBe("http/1.1");
  });
});
