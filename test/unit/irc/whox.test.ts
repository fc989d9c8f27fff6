import { describe, expect, it } from "vitest";
import { HIDDEN_IP, ipParam, parseWhox, whoxParams, type WhoEntry } from "../../../src/irc/whox.ts";

const entry: WhoEntry = {
  channel: "#chan",
  userName: "myusernam",
  ip: HIDDEN_IP,
  host: "chatd",
  server: "irc.example",
  nick: "coolNick",
  flags: "G*",
  idle: 42,
  account: "coolNick",
  realName: "My UniqueReal Name",
};

describe("parseWhox", () => {
  it("is undefined for a plain WHO (no %)", () => {
    expect(parseWhox(undefined)).toBeUndefined();
    expect(parseWhox("o")).toBeUndefined();
  });

  it("reads the fields and a token of up to 3 digits; t without a valid token gets 0", () => {
    expect(parseWhox("%tn,321")).toEqual({ fields: new Set(["t", "n"]), token: "321" });
    expect(parseWhox("%tn")!.token).toBe("0");
    expect(parseWhox("%tn,1234")!.token).toBe("0");
    expect(parseWhox("%tn,ab")!.token).toBe("0");
    // Filter letters before the % are ignored.
    expect(parseWhox("o%na")!.fields).toEqual(new Set(["n", "a"]));
  });
});

describe("whoxParams (354)", () => {
  it("sends every field in the spec's order whatever order they were asked in", () => {
    const all = ["123", "#chan", "myusernam", HIDDEN_IP, "chatd", "irc.example", "coolNick", "G*", "0", "42", "coolNick", "n/a", "My UniqueReal Name"];
    expect(whoxParams(parseWhox("%tcuihsnfdlaor,123")!, entry)).toEqual(all);
    expect(whoxParams(parseWhox("%roaldfnshiuct,123")!, entry)).toEqual(all);
  });

  it("sends only the fields asked for, one per letter, and ignores letters WHOX does not define", () => {
    expect(whoxParams(parseWhox("%tn,321")!, entry)).toEqual(["321", "coolNick"]);
    expect(whoxParams(parseWhox("%nxyzn")!, entry)).toEqual(["coolNick"]);
    expect(whoxParams(parseWhox("%")!, entry)).toEqual([]);
    for (const [field, value] of Object.entries({ c: "#chan", u: "myusernam", i: HIDDEN_IP, h: "chatd", s: "irc.example", f: "G*", d: "0", l: "42", a: "coolNick", o: "n/a", r: "My UniqueReal Name" })) {
      expect(whoxParams(parseWhox(`%${field}`)!, entry)).toEqual([value]);
    }
  });
});

describe("ipParam", () => {
  it("gives IPv4-mapped addresses as IPv4 and never starts with a colon", () => {
    expect(ipParam("127.0.0.1")).toBe("127.0.0.1");
    expect(ipParam("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(ipParam("::1")).toBe("0::1");
    expect(ipParam("2001:db8::1")).toBe("2001:db8::1");
  });
});
