import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseCopy, parseDockerfile, parseEnv, parseHealthcheck, type Stage } from "../helpers/dockerfile.ts";
import { World, eventually, within } from "../helpers/harness.ts";
import { ROOT } from "../helpers/process.ts";
import { makeCertificate } from "../helpers/tls.ts";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const stages = parseDockerfile(dockerfile);
const runtimeStage = stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };

/** Every argument of the stage's instructions named `op`. */
const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const one = (stage: Stage, op: string) => {
  const found = all(stage, op);
  expect(found, `one ${op} in the runtime stage`).toHaveLength(1);
  return found[0]!;
};
const imageEnv = () => Object.assign({}, ...all(runtimeStage, "ENV").map(parseEnv)) as Record<string, string>;

describe("the Dockerfile", () => {
  it("needs no BuildKit frontend from a registry (no `# syntax=` line), so an offline build works", () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/im);
  });

  it("builds in one stage and runs from a slim Node image in another", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.name).toBeDefined();
    expect(runtimeStage.from).toMatch(/^node:\d+.*slim/);
    expect(all(runtimeStage, "COPY").some((c) => parseCopy(c).from === stages[0]!.name)).toBe(true);
  });

  it("runs as a non-root user, keeps data in VOLUME /data, exposes the ports it listens on (HTTP, IRC)", () => {
    expect(one(runtimeStage, "USER")).not.toMatch(/^(root|0)$/);
    expect(one(runtimeStage, "VOLUME")).toBe("/data");
    expect(imageEnv()).toMatchObject({ CHAT_DATA_DIR: "/data", CHAT_HOST: "0.0.0.0", NODE_ENV: "production" });
    expect(one(runtimeStage, "EXPOSE")).toBe(`${imageEnv().CHAT_PORT} ${imageEnv().CHAT_IRC_PORT}`);
    expect(imageEnv().CHAT_IRC_PORT).toBe("6667");
  });

  it("sets exactly the variables docs/docker.md says the image sets, with their values", () => {
    const said = /the image sets\s+([\s\S]*?)\s+\(/.exec(readFileSync(join(ROOT, "docs/docker.md"), "utf8"))?.[1] ?? "";
    const listed = Object.fromEntries([...said.matchAll(/`([A-Z_]+)=([^`]*)`/g)].map((m) => [m[1], m[2]]));
    expect(listed).toEqual(imageEnv());
  });

  it("health-checks /healthz, stops with SIGTERM and runs node itself as PID 1 (exec form, no shell)", () => {
    const { command, options } = parseHealthcheck(one(runtimeStage, "HEALTHCHECK"));
    expect(JSON.parse(command)).toEqual(["node", "dist/src/runtime/node/healthcheck.js"]);
    expect(readFileSync(join(ROOT, "src/runtime/node/healthcheck.ts"), "utf8")).toContain('path: "/healthz"');
    expect(options).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) });
    expect(one(runtimeStage, "STOPSIGNAL")).toBe("SIGTERM");
    // Exec form: node is PID 1 and gets the SIGTERM itself (src/run.ts handles SIGTERM and SIGINT),
    // with the node flags `npm start` uses (docs/runtimes.md, "Memory and V8 flags").
    const start = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    expect(JSON.parse(one(runtimeStage, "CMD"))).toEqual(start.split(" "));
    expect(start).toMatch(/^node --max-semi-space-size=8 dist\/src\/main\.js$/);
  });

  it("has a .dockerignore that leaves out local dependencies, builds, data and git, but nothing the image copies", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    for (const entry of ["node_modules", "dist", "data", ".git"]) expect(ignored).toContain(entry);
    const copied = stages.flatMap((s) => all(s, "COPY").map(parseCopy).filter((c) => c.from === undefined).flatMap((c) => c.sources));
    for (const source of copied) expect(ignored, source).not.toContain(source);
  });
});

/** A port free right now, for the image's CHAT_PORT. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/** Runs a Dockerfile command: shell form through sh, exec form (a JSON array) directly, `node` being this node. */
function sh(command: string, options: { cwd: string; env: Record<string, string> }): Promise<{ code: number; output: string }> {
  const argv = command.startsWith("[") ? (JSON.parse(command) as string[]) : ["sh", "-c", command];
  const [file, ...args] = argv[0] === "node" ? [process.execPath, ...argv.slice(1)] : argv;
  return new Promise((resolve) => {
    execFile(file!, args, { ...options, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/**
 * What each RUN step does outside a container. Unknown steps fail the test,
 * so a Dockerfile change has to be taught here, and is then exercised.
 */
function translateRun(step: string, dataDir: string): string | undefined {
  // --prefer-offline: the test installs from the warm npm cache, as CI has no registry to spare.
  if (step === "npm ci --ignore-scripts") return "npm ci --ignore-scripts --prefer-offline --no-audit --no-fund";
  if (step === "npm ci --omit=dev --ignore-scripts") return "npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund";
  if (step === "npm run build") return "npm run --silent build";
  // Shrinks the image layer; here it would wipe the machine's shared npm cache.
  if (step === "npm cache clean --force") return undefined;
  // The volume: a temp dir stands in for /data; ownership is the image's business.
  if (step === "mkdir -p /data") return `mkdir -p '${dataDir}'`;
  if (step === "chown node:node /data") return undefined;
  throw new Error(`the Docker test does not know the RUN step ${JSON.stringify(step)}; teach translateRun`);
}

describe("the image, built and started from the Dockerfile's steps without Docker", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("installs with dev deps and builds, installs production deps only into a clean folder, starts from there and passes its HEALTHCHECK; SIGTERM exits 0", async () => {
    const dataDir = join(await world.tempDir(), "data");
    let port = await freePort();
    const dirs = new Map<string, string>();
    const nodeDir = dirname(process.execPath);
    let env: Record<string, string> = {};

    for (const [index, stage] of stages.entries()) {
      const dir = await world.tempDir();
      dirs.set(stage.name ?? String(index), dir);
      let workdir = dir;
      env = { PATH: `${nodeDir}:${process.env.PATH}`, HOME: process.env.HOME ?? "/tmp" };
      for (const { op, args } of stage.instructions) {
        if (op === "WORKDIR") {
          expect(args, "the image works in /app").toBe("/app");
          workdir = dir;
        } else if (op === "ENV") {
          env = { ...env, ...parseEnv(args), CHAT_DATA_DIR: dataDir, CHAT_PORT: String(port) };
        } else if (op === "COPY") {
          const { from, sources, dest } = parseCopy(args);
          for (const source of sources) {
            const origin = from === undefined ? join(ROOT, source) : join(dirs.get(from)!, source.replace(/^\/app\//, ""));
            const target = dest.endsWith("/") ? join(workdir, dest, source.split("/").pop()!) : join(workdir, dest);
            mkdirSync(dirname(target), { recursive: true });
            cpSync(origin, target, { recursive: true });
          }
        } else if (op === "RUN") {
          for (const step of args.split("&&").map((s) => s.trim())) {
            const command = translateRun(step, dataDir);
            if (command === undefined) continue;
            const result = await sh(command, { cwd: workdir, env });
            expect(result.code, `RUN ${step}:\n${result.output}`).toBe(0);
          }
        }
      }
    }

    const app = dirs.get(String(stages.length - 1))!;
    // Production dependencies only: no dev dependency made it into the runtime folder.
    expect(existsSync(join(app, "node_modules", "hono"))).toBe(true);
    for (const dev of Object.keys(pkg.devDependencies)) expect(existsSync(join(app, "node_modules", dev)), dev).toBe(false);
    expect(existsSync(join(app, "src")), "no sources in the image").toBe(false);
    const built = readdirSync(join(app, "dist"), { recursive: true }).map(String);
    expect(built.filter((f) => f.endsWith(".map") || f.endsWith(".ts") || f.endsWith(".tsbuildinfo")), "no source maps, sources or build state").toEqual([]);

    // A port free now, not one picked before the minute of installs and builds (another test may have taken that one since).
    port = await freePort();
    env = { ...env, CHAT_PORT: String(port) };
    const [command, ...args] = JSON.parse(one(runtimeStage, "CMD")) as string[];
    const p = await world.spawn(env, { cwd: app, command: { command: command === "node" ? process.execPath : command!, args } });
    expect(p.port).toBe(port);

    const { command: healthcheck } = parseHealthcheck(one(runtimeStage, "HEALTHCHECK"));
    await eventually(async () => (await sh(healthcheck, { cwd: app, env })).code === 0, { what: "the HEALTHCHECK to pass" });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status, "the web page is in the image").toBe(200);
    expect(existsSync(join(dataDir, "chat"))).toBe(true);

    p.child.kill("SIGTERM");
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
    // A stopped daemon fails the check, so the check is real.
    expect((await sh(healthcheck, { cwd: app, env })).code).not.toBe(0);

    // With TLS by environment, the same image serves https and its HEALTHCHECK follows.
    const cert = makeCertificate(await world.tempDir());
    const tlsEnv = { ...env, CHAT_TLS_CERT: cert.cert, CHAT_TLS_KEY: cert.key };
    const tls = await world.spawn(tlsEnv, { cwd: app, command: { command: process.execPath, args } });
    await eventually(async () => (await sh(healthcheck, { cwd: app, env: tlsEnv })).code === 0, { what: "the HEALTHCHECK over https" });
    tls.child.kill("SIGTERM");
    expect(await within(5000, tls.exited, "exit")).toEqual({ code: 0, signal: null });
  }, 240_000);
});
