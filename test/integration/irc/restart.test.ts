import { copyFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useIrcWorld } from "../../helpers/irc-world.ts";
import { ircSignIn } from "../../helpers/irc.ts";
import { makeCertificate, servedFingerprint } from "../../helpers/tls.ts";

/** An in-place restart (POST /admin/restart, the console's `restart`) and the IRC ports. */
describe("the IRC gateway across an in-place restart", () => {
  const { world, daemon } = useIrcWorld();

  it("serves IRC again on the same ports, plain and TLS, even when they were chosen with 0; the TLS port with a certificate changed since", async () => {
    const dir = await world.tempDir();
    const { cert, key } = makeCertificate(dir);
    const d = await daemon({ port: 0, tlsPort: 0 }, { tls: { cert, key } });
    const plain = d.daemon.ircPort!;
    const secure = d.daemon.ircTlsPort!;
    const c = await ircSignIn(secure, "tlsy", { tls: true });
    world.onCleanup(() => c.close());
    // A new certificate in the same files: the restart serves it (as on Deno, where a reload cannot).
    const other = makeCertificate(dir, "next");
    copyFileSync(other.cert, cert);
    copyFileSync(other.key, key);

    expect(d.daemon.request("RESTART").accepted).toBe(true);
    expect((await c.next("NOTICE")).params[1]).toMatch(/\[restart\]/);
    expect((await c.next("ERROR")).params[0]).toMatch(/server restarting/);
    await c.closed;
    expect(await d.daemon.settled()).toBe("running");

    expect([d.daemon.ircPort, d.daemon.ircTlsPort]).toEqual([plain, secure]);
    expect(await servedFingerprint(secure)).toBe(other.fingerprint);
    const again = await ircSignIn(secure, "tlsy", { tls: true });
    world.onCleanup(() => again.close());
    const tcp = await ircSignIn(plain, "tcpy");
    world.onCleanup(() => tcp.close());
  });
});
