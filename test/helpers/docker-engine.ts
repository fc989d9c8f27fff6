import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { delimiter, join } from "node:path";
import { onPath } from "./provision.ts";
import { ROOT } from "./process.ts";

/**
 * `npm run test:docker`'s global setup: a Docker engine and the base image,
 * brought by the test command itself. The docker client (Debian's docker.io
 * when missing, as root), a `dockerd` with default flags started when none
 * answers (left running for the next run), and, with no registry to pull
 * from, a local stand-in for node:20-bookworm-slim (test/docker/base-image.sh,
 * built once: the image under that tag is the cache). What cannot be had is
 * recorded in CHAT_TEST_MISSING_DOCKER, the one line the test fails with.
 */

export const BASE_IMAGE = "node:20-bookworm-slim";
const say = (line: string) => process.stderr.write(`test setup: ${line}\n`);
const run = (command: string, args: string[], timeout = 60_000) => spawnSync(command, args, { encoding: "utf8", timeout });
const isRoot = () => process.getuid?.() === 0;

function aptInstall(packages: string[]): void {
  if (!isRoot() || !onPath("apt-get")) return;
  say(`installing ${packages.join(", ")} (apt-get) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env, timeout: 300_000 });
  spawnSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "ignore", env, timeout: 900_000 });
}

const engineAnswers = () => run("docker", ["info", "--format", "{{.ServerVersion}}"], 20_000).status === 0;

async function startEngine(): Promise<boolean> {
  if (!isRoot() || !onPath("dockerd")) return false;
  const log = "/tmp/chatd-test-dockerd.log";
  say(`starting dockerd (log: ${log}) ...`);
  const out = openSync(log, "a");
  spawn("dockerd", [], { detached: true, stdio: ["ignore", out, out] }).unref();
  closeSync(out);
  for (let i = 0; i < 60; i++) {
    if (engineAnswers()) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

/** root's tools (dockerd, the iptables it runs, debootstrap) live in the sbin folders, which a minimal PATH (`env -i`, some CI runners) leaves out. */
function withSbinOnPath(): void {
  if (!isRoot()) return;
  const dirs = (process.env.PATH ?? "").split(delimiter);
  for (const dir of ["/usr/local/sbin", "/usr/sbin", "/sbin"]) if (!dirs.includes(dir)) dirs.push(dir);
  process.env.PATH = dirs.filter((d) => d !== "").join(delimiter);
}

/** Why Docker cannot be used here, or undefined when it can (engine up, base image present). */
export async function provideDocker(): Promise<string | undefined> {
  withSbinOnPath();
  if (!onPath("docker") || !onPath("dockerd")) aptInstall(["docker.io"]);
  if (!onPath("docker")) return "docker is not installed: install Debian's docker.io (sudo apt-get install docker.io)";
  if (!engineAnswers() && !(await startEngine())) {
    return "no Docker engine answers and none could be started: run `dockerd` as root (sudo apt-get install docker.io; sudo dockerd)";
  }
  if (run("docker", ["image", "inspect", BASE_IMAGE]).status === 0) return undefined;
  if (!onPath("debootstrap")) aptInstall(["debootstrap"]);
  if (!onPath("debootstrap")) return `${BASE_IMAGE} is missing and debootstrap is not installed to build a stand-in: sudo apt-get install debootstrap`;
  say(`building a local ${BASE_IMAGE} (debootstrap bookworm + this machine's node and npm) ...`);
  const built = spawnSync("bash", [join(ROOT, "test", "docker", "base-image.sh"), BASE_IMAGE], { encoding: "utf8", timeout: 1_200_000 });
  if (built.status !== 0) return `${BASE_IMAGE} is missing and test/docker/base-image.sh failed: ${(built.stderr || built.error?.message || "").trim().split("\n").at(-1)}`;
  return undefined;
}

export default async function setup(): Promise<void> {
  const missing = await provideDocker();
  if (missing) {
    process.env.CHAT_TEST_MISSING_DOCKER = missing;
    say(`MISSING ${missing} (the Docker test fails)`);
  }
}
