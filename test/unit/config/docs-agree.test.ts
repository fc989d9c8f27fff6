import { readFileSync } from "node:fs";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.ts";

/**
 * The config schema, config/server.json and docs/configuration.md must agree:
 * hidden tests are written from the docs, so a field the docs lack (or a
 * default they misstate) is a bug like any other.
 */
const root = join(import.meta.dirname, "..", "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** Leaves of a nested object as `a.b.c` -> value (arrays are leaves). */
function flatten(value: Record<string, unknown>, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) for (const [k, w] of flatten(v as Record<string, unknown>, `${prefix}${key}.`)) out.set(k, w);
    else out.set(`${prefix}${key}`, v);
  }
  return out;
}

/** Rows of the markdown table under `heading`: cells, without the header and separator. */
function tableRows(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of markdown.slice(start + heading.length + 2).split("\n")) {
    if (line.startsWith("#")) break;
    if (!line.startsWith("| ") || line.startsWith("| ---")) continue;
    rows.push(line.split("|").slice(1, -1).map((cell) => cell.trim()));
  }
  return rows.slice(1);
}

const codes = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

const markdown = read("docs/configuration.md");
/** field -> { env, default } from the Fields table; a row may name several fields and defaults (`a`, `b` | | `1`, `2`). */
const documented = new Map<string, { env: string; def: string }>();
for (const [name = "", env = "", def = ""] of tableRows(markdown, "## Fields")) {
  const names = codes(name);
  const defs = codes(def);
  names.forEach((field, i) => documented.set(field, { env: codes(env)[0] ?? "", def: defs.length === names.length ? defs[i]! : def }));
}

const defaults = flatten(configSchema.parse({}) as unknown as Record<string, unknown>);
/** Fields with no value by default: documented, but absent from the parsed defaults. */
const optional = new Map([
  ["irc.port", "none (off)"],
  ["irc.tlsPort", "none (off)"],
  ["cluster.redis.url", "none"],
  ["cluster.redis.keyPrefix", "`chatd:`"],
  ["cluster.redis.nodeId", "random"],
]);
/** Defaults the docs state as what they mean rather than as the stored value. */
const described = new Map([["files.dir", "<dataDir>/files"]]);
/** The shipped file differs from the defaults here, as docs/configuration.md says. */
const shippedOtherwise = new Set(["motd", "welcome", "rooms"]);

const asDoc = (value: unknown) => (value === "" ? '""' : typeof value === "string" ? value : JSON.stringify(value));

describe("docs/configuration.md and config/server.json agree with the schema", () => {
  it("documents every field with its default", () => {
    const wrong: string[] = [];
    for (const [field, value] of defaults) {
      const doc = documented.get(field);
      const want = described.get(field) ?? asDoc(value);
      if (!doc) wrong.push(`${field}: not in the Fields table`);
      else if (doc.def !== want) wrong.push(`${field}: documented default ${doc.def}, schema ${want}`);
    }
    for (const [field, def] of optional) {
      const doc = documented.get(field);
      if (!doc) wrong.push(`${field}: not in the Fields table`);
      else if (doc.def !== def && `\`${doc.def}\`` !== def) wrong.push(`${field}: documented default ${doc.def}, expected ${def}`);
    }
    expect(wrong).toEqual([]);
  });

  it("documents no field the schema lacks", () => {
    const extra = [...documented.keys()].filter((field) => !defaults.has(field) && !optional.has(field));
    expect(extra).toEqual([]);
  });

  it("the optional fields exist in the schema (they parse, and a wrong type is refused)", () => {
    const ok = configSchema.safeParse({ irc: { port: 6667, tlsPort: 6697 }, cluster: { redis: { url: "redis://x:6379", keyPrefix: "p:", nodeId: "n" } } });
    expect(ok.success).toBe(true);
    if (ok.success) expect(ok.data.cluster?.redis.keyPrefix).toBe("p:");
    expect(configSchema.parse({ cluster: { redis: { url: "redis://x" } } }).cluster?.redis).toEqual({ url: "redis://x", keyPrefix: "chatd:", nodeId: "" });
  });

  it("config/server.json writes out every default (but motd, welcome and rooms)", () => {
    const shipped = flatten(JSON.parse(read("config/server.json")) as Record<string, unknown>);
    const wrong: string[] = [];
    for (const [field, value] of defaults) {
      if (shippedOtherwise.has(field)) continue;
      if (!shipped.has(field)) wrong.push(`${field}: missing`);
      else if (JSON.stringify(shipped.get(field)) !== JSON.stringify(value)) wrong.push(`${field}: ${JSON.stringify(shipped.get(field))}, default ${JSON.stringify(value)}`);
    }
    for (const field of shipped.keys()) if (!defaults.has(field)) wrong.push(`${field}: not a field`);
    expect(wrong).toEqual([]);
    expect(configSchema.safeParse(JSON.parse(read("config/server.json"))).success).toBe(true);
  });

  it("the env column names exactly the variables the loader applies to fields", () => {
    const load = read("src/config/load.ts");
    const body = load.slice(load.indexOf("function envFields("), load.indexOf("function applyIrcEnv("));
    // envFields() lists [field, variable] pairs: the one place the loader names them for errors.
    const pairs = [...body.matchAll(/\["([\w.]+)", "(CHAT_[A-Z_]+)"\]/g)].map((m) => `${m[1]} ${m[2]}`).sort();
    const docPairs = [...documented].filter(([, d]) => d.env).map(([field, d]) => `${field} ${d.env}`).sort();
    expect(pairs.length).toBeGreaterThan(5);
    expect(docPairs).toEqual(pairs);
  });

  it("every CHAT_ variable the code reads is documented, and every documented one is read", () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts")) sources.push(read(path));
      }
    };
    for (const dir of ["src", "storage", "actors"]) walk(dir);
    const used = new Set(sources.flatMap((text) => [...text.matchAll(/\bCHAT_[A-Z][A-Z_]*[A-Z]\b/g)].map((m) => m[0])));
    const docs = markdown + read("README.md");
    const inDocs = new Set([...docs.matchAll(/`(CHAT_[A-Z_]+)(?:=[^`]*)?`/g)].map((m) => m[1]!));
    expect([...used].filter((name) => !inDocs.has(name)).sort()).toEqual([]);
    expect([...inDocs].filter((name) => !used.has(name)).sort()).toEqual([]);
  });
});

describe("docs/configuration.md states the bounds of every limit", () => {
  const bounds = markdown.slice(markdown.indexOf("## Bounds"), markdown.indexOf("## Other environment variables"));
  const limitNames = [...defaults.keys()].filter((f) => f.startsWith("limits.")).map((f) => f.slice("limits.".length));
  const accepts = (name: string, value: number) => configSchema.safeParse({ limits: { [name]: value } }).success;
  // "Limits are whole numbers, except the rates (`a`, `b`, ...) and `tokenTtlHours`, which may be any number above 0."
  const rates = new Set(codes(bounds.slice(bounds.indexOf("except the rates"), bounds.indexOf("which may be any number above 0"))));
  // "At least 0: `x`, `y` and `z`." : the limits that take 0.
  const zero = bounds.indexOf("At least 0:");
  const zeroOk = new Set(codes(bounds.slice(zero, bounds.indexOf(".", zero))));

  it("names every limit that takes a fraction among the rates, and only those", () => {
    expect(limitNames.filter((name) => accepts(name, 0.5) !== rates.has(name))).toEqual([]);
  });

  it("names every limit that takes 0, and only those, or gives its range", () => {
    expect(zero).toBeGreaterThan(0);
    const ranged = (name: string) => new RegExp(`\`${name}\` 0 to`).test(bounds);
    const wrong = limitNames.filter((name) => !rates.has(name) && accepts(name, 0) !== (zeroOk.has(name) || ranged(name)));
    expect(wrong).toEqual([]);
  });

  it("states each documented range as the schema has it", () => {
    const wrong: string[] = [];
    expect([...bounds.matchAll(/`(\w+)`\s(\d+)\sto\s(\d+)/g)].length).toBeGreaterThan(5);
    for (const m of bounds.matchAll(/`(\w+)`\s(\d+)\sto\s(\d+)/g)) {
      const [, name = "", lo, hi] = m;
      if (!limitNames.includes(name)) continue;
      const [min, max] = [Number(lo), Number(hi)];
      if (!accepts(name, min) || !accepts(name, max) || accepts(name, min - 1) || accepts(name, max + 1)) wrong.push(m[0]);
    }
    expect(wrong).toEqual([]);
  });
});

describe("the README's configuration table agrees with docs/configuration.md", () => {
  const readme = read("README.md");
  const start = readme.indexOf("| field | env | default | meaning |");
  const rows = readme
    .slice(start)
    .split("\n")
    .slice(2)
    .filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith("|")))
    .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
  const others = new Map(tableRows(markdown, "## Other environment variables").map(([env = "", def = ""]) => [codes(env)[0]!, codes(def)[0] ?? def]));

  it("states each field's variable and default as configuration.md does", () => {
    expect(start).toBeGreaterThan(0);
    expect(rows.length).toBeGreaterThan(8);
    const wrong: string[] = [];
    for (const [name = "", env = "", def = ""] of rows) {
      const names = codes(name);
      const envs = codes(env);
      const defs = codes(def);
      if (names.length === 0) {
        if (others.get(envs[0]!) !== (defs[0] ?? def)) wrong.push(`${envs[0]}: README ${def}, configuration.md ${others.get(envs[0]!)}`);
        continue;
      }
      names.forEach((field, i) => {
        const doc = documented.get(field);
        const readmeDef = defs.length === names.length ? defs[i] : defs.length === 1 ? defs[0] : def;
        const readmeEnv = envs.length === names.length ? envs[i] : "";
        if (!doc) wrong.push(`${field}: not in configuration.md`);
        else if (doc.def !== readmeDef && `\`${doc.def}\`` !== readmeDef) wrong.push(`${field}: README default ${readmeDef}, configuration.md ${doc.def}`);
        else if (doc.env !== (readmeEnv ?? "")) wrong.push(`${field}: README env ${readmeEnv}, configuration.md ${doc.env}`);
      });
    }
    expect(wrong).toEqual([]);
  });
});
