import { describe, expect, it } from "vitest";
import { copyJson } from "../../../../storage/users/copy-json.ts";

describe("copyJson", () => {
  it("copies parsed JSON deeply: changing the copy leaves the original as it was", () => {
    const original = JSON.parse('{"name":"a","n":1,"ok":true,"none":null,"tokens":[{"hash":"x","at":2}],"banned":{"at":1,"reason":"r"},"tags":[["a"],[]]}');
    const before = JSON.stringify(original);
    const copy = copyJson(original);
    expect(copy).toEqual(original);
    copy.tokens[0].hash = "y";
    copy.tokens.push({ hash: "z", at: 3 });
    copy.banned.reason = "changed";
    copy.tags[0].push("b");
    copy.name = "b";
    expect(JSON.stringify(original)).toBe(before);
  });

  it("returns primitives as they are", () => {
    expect(copyJson(5)).toBe(5);
    expect(copyJson("s")).toBe("s");
    expect(copyJson(null)).toBe(null);
  });

  it("keeps a __proto__ key an own property, not the copy's prototype", () => {
    const original = JSON.parse('{"__proto__":{"role":"admin"},"role":"user"}');
    const copy = copyJson(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "role"]);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
    expect((copy as { role: string }).role).toBe("user");
  });
});
