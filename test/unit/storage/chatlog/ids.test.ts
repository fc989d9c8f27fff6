import { describe, expect, it } from "vitest";
import { createIdGenerator, formatId, ID_PATTERN, parseId } from "../../../../storage/chatlog/ids.ts";

/** A clock that returns the given times in turn, then repeats the last one. */
function clock(...times: number[]): () => number {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)]!;
}

const T = 1764100000000;

describe("formatId", () => {
  it("zero-pads to 13 digits, a dash and 6 digits", () => {
    expect(formatId(T, 3)).toBe("1764100000000-000003");
    expect(formatId(5, 0)).toBe("0000000000005-000000");
    expect(formatId(T, 999_999)).toBe("1764100000000-999999");
  });

  it("matches the id pattern", () => {
    expect(formatId(0, 0)).toMatch(ID_PATTERN);
    expect(formatId(T, 42)).toMatch(ID_PATTERN);
  });
});

describe("parseId", () => {
  it("reads back what formatId wrote", () => {
    expect(parseId(formatId(T, 17))).toEqual({ ms: T, seq: 17 });
    expect(parseId("0000000000005-000000")).toEqual({ ms: 5, seq: 0 });
  });

  it.each([
    ["an empty string", ""],
    ["no dash", "1764100000000000003"],
    ["a short sequence", "1764100000000-00003"],
    ["a long sequence", "1764100000000-0000003"],
    ["short milliseconds", "176410000000-000003"],
    ["letters", "17641000000ab-000003"],
    ["a leading space", " 1764100000000-000003"],
    ["a trailing newline", "1764100000000-000003\n"],
    ["a negative sequence", "1764100000000--00003"],
    ["an unpadded id", "1-2"],
  ])("refuses %s", (_name, input) => {
    expect(parseId(input)).toBeUndefined();
    expect(ID_PATTERN.test(input)).toBe(false);
  });
});

describe("createIdGenerator", () => {
  it("starts the sequence at 0 for a new millisecond", () => {
    const next = createIdGenerator(undefined, clock(T));
    expect(next()).toEqual({ id: "1764100000000-000000", ts: T });
  });

  it("counts the sequence up while the clock repeats", () => {
    const next = createIdGenerator(undefined, clock(T, T, T));
    expect([next().id, next().id, next().id]).toEqual(["1764100000000-000000", "1764100000000-000001", "1764100000000-000002"]);
  });

  it("resets the sequence when the clock moves forward", () => {
    const next = createIdGenerator(undefined, clock(T, T, T + 5));
    next();
    next();
    expect(next()).toEqual({ id: "1764100000005-000000", ts: T + 5 });
  });

  it("stays monotonic when the clock goes backwards", () => {
    const next = createIdGenerator(undefined, clock(T, T - 1000, T - 2000, T - 1));
    const ids = [next(), next(), next(), next()];
    expect(ids.map((i) => i.id)).toEqual([
      "1764100000000-000000",
      "1764100000000-000001",
      "1764100000000-000002",
      "1764100000000-000003",
    ]);
    // The timestamp never goes back either.
    expect(ids.every((i) => i.ts === T)).toBe(true);
  });

  it("carries into the next millisecond when the sequence runs out", () => {
    const next = createIdGenerator("1764100000000-999998", clock(T));
    expect(next().id).toBe("1764100000000-999999");
    expect(next()).toEqual({ id: "1764100000001-000000", ts: T + 1 });
    expect(next().id).toBe("1764100000001-000001");
  });

  it("continues above a given last id when the clock is behind it", () => {
    const next = createIdGenerator("1764100000000-000005", clock(T - 60_000));
    expect(next().id).toBe("1764100000000-000006");
  });

  it("continues above a given last id in the same millisecond", () => {
    const next = createIdGenerator("1764100000000-000005", clock(T));
    expect(next().id).toBe("1764100000000-000006");
  });

  it("uses the clock when it is ahead of the given last id", () => {
    const next = createIdGenerator("1764100000000-000005", clock(T + 1));
    expect(next()).toEqual({ id: "1764100000001-000000", ts: T + 1 });
  });

  it("ignores a malformed last id", () => {
    const next = createIdGenerator("not-an-id", clock(T));
    expect(next().id).toBe("1764100000000-000000");
  });

  it("uses Date.now by default", () => {
    const before = Date.now();
    const { id, ts } = createIdGenerator()();
    const after = Date.now();
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(after);
    expect(id).toMatch(ID_PATTERN);
  });

  it("orders ids as strings in generation order under a jittery clock", () => {
    // A deterministic pseudo-random walk: steps forward, repeats and steps back.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let t = T;
    const next = createIdGenerator(undefined, () => (t += Math.floor(rand() * 7) - 3));
    const ids = Array.from({ length: 5000 }, () => next());
    const strings = ids.map((i) => i.id);
    expect(new Set(strings).size).toBe(strings.length);
    expect([...strings].sort()).toEqual(strings);
    for (let i = 1; i < strings.length; i++) expect(strings[i]! > strings[i - 1]!).toBe(true);
    for (const { id, ts } of ids) {
      expect(id).toMatch(ID_PATTERN);
      expect(parseId(id)!.ms).toBe(ts);
    }
  });

  it("writes every id as formatId writes its millisecond and sequence, across sequence carries", () => {
    let t = T;
    const next = createIdGenerator(formatId(T, 999_990), () => t);
    for (let i = 0; i < 30; i++) {
      if (i === 20) t = T + 5;
      const { id, ts } = next();
      const parsed = parseId(id)!;
      expect(id).toBe(formatId(parsed.ms, parsed.seq));
      expect(ts).toBe(parsed.ms);
    }
    expect(next().id).toBe(formatId(T + 5, 10));
  });
});
