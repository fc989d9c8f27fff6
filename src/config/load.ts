import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { configSchema, type Config } from "./schema.ts";

/**
 * A configuration problem: the daemon prints it and exits with code 2. Always
 * the same shape, whatever was wrong: `<source>: invalid configuration`, then
 * one indented `<field or variable>: <reason>` line per problem.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid configuration\n  ${problems.join("\n  ")}`);
  }
}

/** What the configuration was read from, as ConfigError names it. */
export function configSource(env: Env, cwd: string): string {
  return resolve(cwd, env.CHAT_CONFIG || DEFAULT_CONFIG_PATH);
}

export const DEFAULT_CONFIG_PATH = "config/server.json";

type Env = Record<string, string | undefined>;

/**
 * Reads the JSON config (`CHAT_CONFIG` or config/server.json), applies the
 * `CHAT_*` environment overrides, validates the result and resolves `dataDir`
 * against the working directory. `problems` found beforehand in variables outside
 * the file's fields (logging, console) are reported in the same ConfigError.
 */
export async function loadConfig(env: Env, cwd: string, problems: string[] = []): Promise<Config> {
  const path = configSource(env, cwd);
  let raw: unknown = {};
  let source = path;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A missing default file is fine (all defaults); a missing explicit one is not.
    if (code === "ENOENT" && !env.CHAT_CONFIG) source = `defaults (no ${path})`;
    else if (code === "ENOENT") throw new ConfigError(path, [...problems, "CHAT_CONFIG: file not found"]);
    else if (error instanceof SyntaxError) throw new ConfigError(path, [...problems, `(root): not valid JSON: ${error.message}`]);
    else throw new ConfigError(path, [...problems, `(root): cannot read: ${(error as Error).message}`]);
  }
  problems.push(...maskedFileProblems(raw, env));
  const config = parseConfig(applyEnv(raw, env, problems), source, envFields(env), problems);
  const tls = config.tls.cert ? { cert: resolve(cwd, config.tls.cert), key: resolve(cwd, config.tls.key) } : config.tls;
  if (tls.cert) {
    const files = [["tls.cert", tls.cert, "CHAT_TLS_CERT"], ["tls.key", tls.key, "CHAT_TLS_KEY"]] as const;
    for (const [field, file, variable] of files) {
      const problem = await pemFileProblem(file);
      if (problem) problems.push(`${field}: ${problem}${env[variable] !== undefined ? ` (set by ${variable})` : ""}`);
    }
    if (problems.length > 0) throw new ConfigError(source, problems);
  }
  const files = { ...config.files, dir: config.files.dir ? resolve(cwd, config.files.dir) : "" };
  return { ...config, dataDir: resolve(cwd, config.dataDir), tls, files };
}

/**
 * A certificate or key file that cannot be read is a configuration error like
 * any other (exit code 2 at start, `invalid_config` on a reload), named by its
 * field, rather than a failure deep in the TLS setup.
 */
async function pemFileProblem(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  return text.includes("-----BEGIN ") ? undefined : `${path} is not a PEM file`;
}

/**
 * `fromEnv` maps a field to the variable that set it, so an invalid value is
 * reported under the name the operator used.
 */
export function parseConfig(
  raw: unknown,
  source = "config",
  fromEnv: ReadonlyMap<string, string> = new Map(),
  /** Problems already found in the environment, reported with the file's. */
  envProblems: string[] = [],
): Config {
  const result = configSchema.safeParse(raw);
  if (result.success && envProblems.length === 0) return result.data;
  const lines = (result.success ? [] : result.error.issues).map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    const variable = [...fromEnv].find(([f]) => field === f || field.startsWith(`${f}.`))?.[1];
    return `${field}: ${issue.message}${variable ? ` (set by ${variable})` : ""}`;
  });
  throw new ConfigError(source, [...envProblems, ...lines]);
}

/**
 * An invalid value the file holds for a field a variable overrides: still an invalid file
 * (`{"port":"8080"}` would stop the next start made without CHAT_PORT), so it is refused
 * now rather than hidden by the variable.
 */
function maskedFileProblems(raw: unknown, env: Env): string[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [];
  const overridden = envFields(env);
  const result = configSchema.safeParse(raw);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    const field = issue.path.join(".");
    const variable = overridden.get(field);
    // Only a value the file holds: a field missing from the file is the variable's to give.
    if (!variable || valueAt(raw, issue.path) === undefined) return [];
    return [`${field}: ${issue.message} (in the file; ${variable} overrides it)`];
  });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The file's fields with the `CHAT_*` overrides applied; a variable that cannot be applied adds to `problems`. */
function applyEnv(raw: unknown, env: Env, problems: string[]): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (env.CHAT_HOST !== undefined) out.host = env.CHAT_HOST;
  if (env.CHAT_PORT !== undefined) {
    if (/^\s*\d+\s*$/.test(env.CHAT_PORT)) out.port = Number(env.CHAT_PORT);
    else problems.push(`port: expected an integer, got ${JSON.stringify(env.CHAT_PORT)} (set by CHAT_PORT)`);
  }
  if (env.CHAT_DATA_DIR !== undefined) out.dataDir = env.CHAT_DATA_DIR;
  if (env.CHAT_ADMIN_TOKEN !== undefined) out.adminToken = env.CHAT_ADMIN_TOKEN;
  if (env.CHAT_IRC_PASSWORD !== undefined) out.irc = { ...(typeof out.irc === "object" && out.irc !== null ? out.irc : {}), password: env.CHAT_IRC_PASSWORD };
  if (env.CHAT_FILES_DIR !== undefined) out.files = { ...(typeof out.files === "object" && out.files !== null ? out.files : {}), dir: env.CHAT_FILES_DIR };
  if (env.CHAT_TLS_CERT !== undefined || env.CHAT_TLS_KEY !== undefined) {
    const tls = (typeof out.tls === "object" && out.tls !== null ? out.tls : {}) as Record<string, unknown>;
    out.tls = { ...tls, ...(env.CHAT_TLS_CERT !== undefined ? { cert: env.CHAT_TLS_CERT } : {}), ...(env.CHAT_TLS_KEY !== undefined ? { key: env.CHAT_TLS_KEY } : {}) };
  }
  applyIrcEnv(out, env, problems);
  applyClusterEnv(out, env, problems);
  return out;
}

/** The fields the environment sets, by the variable that sets each. */
function envFields(env: Env): Map<string, string> {
  const fields = new Map<string, string>();
  const vars: Array<[string, string]> = [
    ["host", "CHAT_HOST"],
    ["port", "CHAT_PORT"],
    ["dataDir", "CHAT_DATA_DIR"],
    ["adminToken", "CHAT_ADMIN_TOKEN"],
    ["files.dir", "CHAT_FILES_DIR"],
    ["tls.cert", "CHAT_TLS_CERT"],
    ["tls.key", "CHAT_TLS_KEY"],
    ["irc.port", "CHAT_IRC_PORT"],
    ["irc.tlsPort", "CHAT_IRC_TLS_PORT"],
    ["irc.password", "CHAT_IRC_PASSWORD"],
    ["cluster.redis.url", "CHAT_REDIS_URL"],
    ["cluster.redis.keyPrefix", "CHAT_REDIS_PREFIX"],
    ["cluster.redis.nodeId", "CHAT_NODE_ID"],
  ];
  // An empty CHAT_IRC_PORT or CHAT_IRC_TLS_PORT sets nothing: the file's value stays (and is the file's to answer for).
  const leavesFile = (name: string) => (name === "CHAT_IRC_PORT" || name === "CHAT_IRC_TLS_PORT") && env[name] === "";
  for (const [field, name] of vars) if (env[name] !== undefined && !leavesFile(name)) fields.set(field, name);
  return fields;
}

/** CHAT_IRC_PORT (and CHAT_IRC_TLS_PORT) turn the IRC gateway on; an empty value leaves the file's setting. */
function applyIrcEnv(out: Record<string, unknown>, env: Env, problems: string[]): void {
  const vars = [["port", "CHAT_IRC_PORT"], ["tlsPort", "CHAT_IRC_TLS_PORT"]] as const;
  for (const [field, name] of vars) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (!/^\s*\d+\s*$/.test(value)) {
      problems.push(`irc.${field}: expected an integer, got ${JSON.stringify(value)} (set by ${name})`);
      continue;
    }
    const irc = (typeof out.irc === "object" && out.irc !== null ? out.irc : {}) as Record<string, unknown>;
    out.irc = { ...irc, [field]: Number(value) };
  }
}

/** CHAT_REDIS_URL turns cluster mode on; CHAT_REDIS_PREFIX and CHAT_NODE_ID refine it. */
function applyClusterEnv(out: Record<string, unknown>, env: Env, problems: string[]): void {
  const { CHAT_REDIS_URL: url, CHAT_REDIS_PREFIX: keyPrefix, CHAT_NODE_ID: nodeId } = env;
  if (url === undefined && keyPrefix === undefined && nodeId === undefined) return;
  const cluster = (typeof out.cluster === "object" && out.cluster !== null ? out.cluster : {}) as Record<string, unknown>;
  const redis = { ...((cluster.redis as Record<string, unknown> | undefined) ?? {}) };
  if (url !== undefined) redis.url = url;
  if (keyPrefix !== undefined) redis.keyPrefix = keyPrefix;
  if (nodeId !== undefined) redis.nodeId = nodeId;
  if (redis.url === undefined) {
    const alone = [keyPrefix !== undefined && "CHAT_REDIS_PREFIX", nodeId !== undefined && "CHAT_NODE_ID"].filter(Boolean).join(" and ");
    problems.push(`cluster.redis.url: missing (${alone}: cluster mode only): set CHAT_REDIS_URL, or cluster.redis.url in the file`);
    return;
  }
  out.cluster = { ...cluster, redis };
}
