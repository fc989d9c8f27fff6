import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { ircSignIn, type IrcClient, type Line } from "../../helpers/irc.ts";
import type { TestClient } from "../../helpers/client.ts";

const CAPS = ["batch", "server-time", "message-tags", "draft/chathistory"];

/** The lines of the next chathistory batch (its PRIVMSGs' texts), checking it is one batch for `target`. */
async function batch(irc: IrcClient, target: string): Promise<string[]> {
  const open = await irc.next("BATCH");
  expect(open.params.slice(1)).toEqual(["chathistory", target]);
  const id = open.params[0]!.slice(1);
  const inside = await irc.until((l) => l.command === "BATCH" && l.params[0] === `-${id}`);
  const lines = inside.filter((l) => l.command === "PRIVMSG");
  expect(lines.every((l) => l.tags.get("batch") === id)).toBe(true);
  return lines.map((l) => l.params[1]!);
}

/** Messages one at a time, a few ms apart (so each has its own millisecond, as timestamps need); their ids and times. */
async function spaced(web: TestClient, texts: string[], send: (text: string, ref: number) => Record<string, unknown>): Promise<Array<{ id: string; ts: number }>> {
  const out: Array<{ id: string; ts: number }> = [];
  for (const [i, text] of texts.entries()) {
    web.send({ ...send(text, i + 1), ref: i + 1 });
    const ack = await web.next("ack");
    out.push({ id: ack.id as string, ts: ack.ts as number });
    await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

const iso = (ts: number) => `timestamp=${new Date(ts).toISOString()}`;
const TEXTS = ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"];

describe("IRC CHATHISTORY AROUND, BETWEEN and TARGETS", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const ircDaemon = () => world.daemon({ irc: { port: 0 } });

  it("AROUND and BETWEEN in a channel, by msgid and by timestamp, in either order, bounded by the limit", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const m = await spaced(web, TEXTS, (text) => ({ type: "say", room: "general", text }));
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: CAPS });
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");

    irc.send(`CHATHISTORY AROUND #general msgid=${m[7]!.id} 1`);
    expect(await batch(irc, "#general")).toEqual(["m7"]);
    irc.send(`CHATHISTORY AROUND #general msgid=${m[7]!.id} 3`);
    expect(await batch(irc, "#general")).toEqual(["m6", "m7", "m8"]);
    irc.send(`CHATHISTORY AROUND #general ${iso(m[7]!.ts)} 3`);
    expect(await batch(irc, "#general")).toEqual(["m6", "m7", "m8"]);
    // Near the end, the older side makes up what the newer one lacks.
    irc.send(`CHATHISTORY AROUND #general msgid=${m[9]!.id} 4`);
    expect(await batch(irc, "#general")).toEqual(["m6", "m7", "m8", "m9"]);

    // BETWEEN excludes both ends; forward starts at the first, backward ends at the first.
    irc.send(`CHATHISTORY BETWEEN #general msgid=${m[0]!.id} msgid=${m[9]!.id} 20`);
    expect(await batch(irc, "#general")).toEqual(TEXTS.slice(1, 9));
    irc.send(`CHATHISTORY BETWEEN #general msgid=${m[9]!.id} msgid=${m[0]!.id} 20`);
    expect(await batch(irc, "#general")).toEqual(TEXTS.slice(1, 9));
    irc.send(`CHATHISTORY BETWEEN #general msgid=${m[0]!.id} msgid=${m[9]!.id} 3`);
    expect(await batch(irc, "#general")).toEqual(["m1", "m2", "m3"]);
    irc.send(`CHATHISTORY BETWEEN #general msgid=${m[9]!.id} msgid=${m[0]!.id} 3`);
    expect(await batch(irc, "#general")).toEqual(["m6", "m7", "m8"]);
    irc.send(`CHATHISTORY BETWEEN #general ${iso(m[0]!.ts)} ${iso(m[9]!.ts)} 3`);
    expect(await batch(irc, "#general")).toEqual(["m1", "m2", "m3"]);
    irc.send(`CHATHISTORY BETWEEN #general ${iso(m[9]!.ts)} msgid=${m[0]!.id} 3`);
    expect(await batch(irc, "#general")).toEqual(["m6", "m7", "m8"]);

    // A deleted message is left out.
    web.send({ type: "delete", id: m[2]!.id, ref: 99 });
    await web.next("ack");
    irc.send(`CHATHISTORY BETWEEN #general msgid=${m[0]!.id} msgid=${m[5]!.id} 10`);
    expect(await batch(irc, "#general")).toEqual(["m1", "m3", "m4"]);

    irc.send(`CHATHISTORY BETWEEN #general msgid=${m[0]!.id} bogus 3`);
    expect((await irc.next("FAIL")).params.slice(0, 3)).toEqual(["CHATHISTORY", "INVALID_PARAMS", "bogus"]);
    irc.send(`CHATHISTORY AROUND #general msgid=${m[0]!.id} 0`);
    expect((await irc.next("FAIL")).params.slice(0, 2)).toEqual(["CHATHISTORY", "INVALID_PARAMS"]);
    // A channel the client is not in: INVALID_TARGET with the subcommand, as the spec writes it.
    irc.send(`CHATHISTORY AROUND #elsewhere msgid=${m[0]!.id} 3`);
    expect((await irc.next("FAIL")).params.slice(0, 4)).toEqual(["CHATHISTORY", "INVALID_TARGET", "AROUND", "#elsewhere"]);
  });

  it("AROUND and BETWEEN in a direct conversation read chatd's dm history", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.signIn(d, "webby");
    await ircSignIn(d.daemon.ircPort!, "ircy").then((c) => c.close());
    const m = await spaced(web, TEXTS, (text) => ({ type: "dm", to: "ircy", text }));
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: CAPS });
    world.onCleanup(() => irc.close());
    irc.send(`CHATHISTORY AROUND webby msgid=${m[4]!.id} 3`);
    expect(await batch(irc, "webby")).toEqual(["m3", "m4", "m5"]);
    irc.send(`CHATHISTORY BETWEEN WEBBY msgid=${m[1]!.id} msgid=${m[8]!.id} 4`);
    expect(await batch(irc, "WEBBY")).toEqual(["m2", "m3", "m4", "m5"]);
    irc.send(`CHATHISTORY BETWEEN webby ${iso(m[8]!.ts)} ${iso(m[1]!.ts)} 4`);
    expect(await batch(irc, "webby")).toEqual(["m4", "m5", "m6", "m7"]);
  });

  it("TARGETS lists channels and DM partners by their latest message in the window, oldest first", async () => {
    const d = await ircDaemon();
    await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["batch", "server-time", "message-tags", "echo-message", "draft/chathistory"] });
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general,#second,#quiet");
    for (let i = 0; i < 3; i++) await irc.next("366");
    const start = Date.now() - 1;
    const times: string[] = [];
    // Each target's latest message, one after the other: #general, webby (a DM), #second, then #general again.
    for (const line of ["PRIVMSG #general :g1", "PRIVMSG webby :d1", "PRIVMSG #second :s1", "PRIVMSG #general :g2"]) {
      irc.send(line);
      times.push((await irc.next("PRIVMSG")).tags.get("time")!);
      await new Promise((r) => setTimeout(r, 5));
    }
    const targets = async (command: string): Promise<Array<[string, string]>> => {
      irc.send(command);
      const open = await irc.next("BATCH");
      expect(open.params.slice(1)).toEqual(["draft/chathistory-targets"]);
      const inside = await irc.until((l: Line) => l.command === "BATCH" && l.params[0] === `-${open.params[0]!.slice(1)}`);
      return inside.filter((l) => l.command === "CHATHISTORY").map((l) => {
        expect(l.params[0]).toBe("TARGETS");
        return [l.params[1]!, l.params[2]!];
      });
    };
    const all = `timestamp=${new Date(start).toISOString()} timestamp=2262-01-01T00:00:00.000Z`;
    // #general's latest is g2, so it comes last; #quiet has no message.
    expect(await targets(`CHATHISTORY TARGETS ${all} 100`)).toEqual([
      ["webby", times[1]],
      ["#second", times[2]],
      ["#general", times[3]],
    ]);
    expect((await targets(`CHATHISTORY TARGETS ${all} 2`)).map(([t]) => t)).toEqual(["webby", "#second"]);
    // Both ends are exclusive, and the window may be given in either order.
    expect((await targets(`CHATHISTORY TARGETS timestamp=${times[3]} timestamp=${times[1]} 100`)).map(([t]) => t)).toEqual(["#second"]);
    // A target whose latest message is past the window is not listed, though it had one inside.
    expect(await targets(`CHATHISTORY TARGETS timestamp=${new Date(start).toISOString()} timestamp=${times[1]} 100`)).toEqual([]);
    irc.send("CHATHISTORY TARGETS msgid=x timestamp=2262-01-01T00:00:00.000Z 5");
    expect((await irc.next("FAIL")).params.slice(0, 3)).toEqual(["CHATHISTORY", "INVALID_PARAMS", "msgid=x"]);
  });
});
