/**
 * Starts chatd itself (dist/src/main.js, built by `npm run build`) as a child
 * process with a bench config: high rate limits (per connection and per
 * address: all bench clients are 127.0.0.1; room creation too), 20k connections, bcrypt cost
 * 10, fsync on. The chat log is removed before each start (unless `keepLog`)
 * so every run starts from an empty history; accounts are kept (see
 * ../chatd-accounts.mjs).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer } from "./spawn.mjs";

export const CHATD_CONFIG = {
  bcryptCost: 10,
  chatLog: { fsync: true },
  // Every bench connection comes from 127.0.0.1: the per-address limits are lifted too.
  limits: {
    messagesPerSecond: 100000,
    messageBurst: 100000,
    maxConnections: 20000,
    maxConnectionsPerIp: 20000,
    ipMessagesPerSecond: 1000000,
    ipMessageBurst: 1000000,
    ipJoinsPerSecond: 1000000,
    ipJoinBurst: 1000000,
    ipSignInsPerMinute: 1000000,
    ipSignInBurst: 1000000,
    ipAccountsPerHour: 1000000,
    ipAccountBurst: 1000000,
    // Rooms made by the load (issue 22.4's caps: per user, per address, in all).
    maxRooms: 1000000,
    userRoomsPerHour: 1000000,
    userRoomBurst: 1000000,
    ipRoomsPerHour: 1000000,
    ipRoomBurst: 1000000,
  },
};

/** The node flags `npm start` runs chatd with (package.json), so the bench runs it the same way. */
export function startFlags(root) {
  const start = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.start.split(" ");
  return start.slice(1, start.indexOf("dist/src/main.js"));
}

export function startChatd({ root, dataDir, config = CHATD_CONFIG, name = "chatd", cpuProfDir, env = {}, nodeFlags = [], keepLog = false, startTimeoutMs }) {
  mkdirSync(dataDir, { recursive: true });
  // keepLog: a restart on the same history (the history scenario).
  if (!keepLog) rmSync(join(dataDir, "chat"), { recursive: true, force: true });
  const configPath = join(dataDir, "..", `${name}.config.json`);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const args = [...startFlags(root), ...nodeFlags, ...(cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [])];
  args.push(join(root, "dist/src/main.js"));
  return startServer({
    name,
    args,
    cwd: root,
    startTimeoutMs,
    env: {
      CHAT_CONFIG: configPath,
      CHAT_HOST: "127.0.0.1",
      CHAT_PORT: "0",
      CHAT_DATA_DIR: dataDir,
      CHAT_CONSOLE: "off",
      CHAT_LOG_LEVEL: "info",
      CHAT_ADMIN_TOKEN: "",
      ...env,
    },
  });
}
