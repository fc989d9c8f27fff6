import { describe, expect, it } from "vitest";
import { listed, parseListFilter } from "../../../src/irc/elist.ts";

const rooms = [
  { name: "chan1", members: 1 },
  { name: "chan2", members: 2 },
  { name: "general", members: 0 },
];
const names = (params: string[]) => rooms.filter((r) => listed(parseListFilter(params), r)).map((r) => r.name);

describe("LIST filters (ELIST M, N, U)", () => {
  it("lists every room without parameters", () => {
    expect(names([])).toEqual(["chan1", "chan2", "general"]);
  });

  it("M: masks match #room with * and ?, without regard to case; several masks list what any matches", () => {
    expect(names(["*an1"])).toEqual(["chan1"]);
    expect(names(["#c*n2"])).toEqual(["chan2"]);
    expect(names(["#CH*"])).toEqual(["chan1", "chan2"]);
    expect(names(["#chan?"])).toEqual(["chan1", "chan2"]);
    expect(names(["*an3"])).toEqual([]);
    expect(names(["#chan1,#general"])).toEqual(["chan1", "general"]);
    // An exact name is that room only; a mask without # matches the name with or without it.
    expect(names(["#chan"])).toEqual([]);
    expect(names(["general"])).toEqual(["general"]);
  });

  it("N: !mask leaves out what it matches", () => {
    expect(names(["!*an1"])).toEqual(["chan2", "general"]);
    expect(names(["!#c*n2"])).toEqual(["chan1", "general"]);
    expect(names(["!#ch*"])).toEqual(["general"]);
    expect(names(["#ch*,!*2"])).toEqual(["chan1"]);
  });

  it("U: >n and <n compare the member count (strictly); they combine with masks", () => {
    expect(names([">0"])).toEqual(["chan1", "chan2"]);
    expect(names(["<1"])).toEqual(["general"]);
    expect(names([">1"])).toEqual(["chan2"]);
    expect(names(["<2"])).toEqual(["chan1", "general"]);
    expect(names([">0,<2"])).toEqual(["chan1"]);
    expect(names(["#c*", "<2"])).toEqual(["chan1"]);
    expect(names(["<100"])).toEqual(["chan1", "chan2", "general"]);
  });

  it("ignores C and T conditions (not offered) rather than taking them for masks", () => {
    expect(names(["C>5", "T<3"])).toEqual(["chan1", "chan2", "general"]);
  });

  it("gives the directory the longest literal run of a single mask to search for", () => {
    expect(parseListFilter(["#c*n2"]).hint).toBe("n2");
    expect(parseListFilter(["*gen*"]).hint).toBe("gen");
    expect(parseListFilter(["#general"]).hint).toBe("general");
    expect(parseListFilter(["*"]).hint).toBeUndefined();
    expect(parseListFilter(["#a*", "#b*"]).hint).toBeUndefined();
    expect(parseListFilter(["!#a*"]).hint).toBeUndefined();
    expect(parseListFilter([">3"]).hint).toBeUndefined();
  });
});
