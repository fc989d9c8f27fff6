/**
 * Bench accounts on chatd: users `u1..uN` sign in once with the password and
 * are resumed with their token afterwards. Tokens are cached in
 * `<dataDir>/bench-accounts.json`, next to the accounts they belong to, so
 * deleting the data dir drops both. Missing users are created by a separate
 * chatd started with bcryptCost 4 (creating 15k accounts at cost 10 would take
 * minutes); the sign-in scenario's own users `s1..sK` are created at cost 10.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startChatd, CHATD_CONFIG } from "./servers/chatd.mjs";

export const PASSWORD = "bench-password-1";

export class Accounts {
  constructor(dataDir) {
    this.path = join(dataDir, "bench-accounts.json");
    this.dataDir = dataDir;
    this.data = existsSync(this.path) ? JSON.parse(readFileSync(this.path, "utf8")) : { tokens: {}, signinUsers: 0 };
  }

  save() {
    writeFileSync(this.path, JSON.stringify(this.data));
  }

  /** Records tokens returned by a connect (new or replaced ones). */
  remember(tokens) {
    if (Object.keys(tokens).length === 0) return;
    Object.assign(this.data.tokens, tokens);
    this.save();
  }

  /** A connection spec for user `name` (token when cached, password as fallback). */
  spec(name, rooms, extra = {}) {
    return { user: name, password: PASSWORD, token: this.data.tokens[name], rooms, ...extra };
  }

  /** Makes sure u1..uN have accounts and cached tokens, creating the missing ones at bcrypt cost 4. */
  async ensure({ root, pool, count, log }) {
    const missing = [];
    for (let i = 1; i <= count; i++) if (!this.data.tokens[`u${i}`]) missing.push(`u${i}`);
    if (missing.length === 0) return;
    log(`chatd: creating ${missing.length} bench accounts (bcryptCost 4, once; tokens cached in ${this.path})`);
    const server = await startChatd({ root, dataDir: this.dataDir, name: "chatd-setup", config: { ...CHATD_CONFIG, bcryptCost: 4 } });
    try {
      for (let k = 0; k < missing.length; k += 2000) {
        const specs = missing.slice(k, k + 2000).map((user) => ({ user, password: PASSWORD, rooms: [] }));
        const r = await pool.connect({ group: "setup", dialect: "chatd", port: server.port, specs, concurrency: 20 });
        this.remember(r.tokens);
        await pool.close("setup");
        if (r.failed > 0) throw new Error(`creating bench accounts: ${r.failed} failed: ${r.errors.join("; ")}`);
      }
    } finally {
      await server.stop();
    }
  }
}
