import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { startCluster, type TestCluster } from "../../helpers/cluster.ts";
import { upload } from "../../helpers/files.ts";

type Json = Record<string, unknown>;

describe("files in a cluster", () => {
  const world = new World();
  let cluster: TestCluster | undefined;
  let shared: string | undefined;
  afterEach(async () => {
    await world.cleanup();
    await cluster?.close();
    if (shared) await rm(shared, { recursive: true, force: true });
  });

  it("serves a file uploaded through one node from every node sharing files.dir (CHAT_FILES_DIR)", async () => {
    shared = await mkdtemp(join(tmpdir(), "chatd-shared-files-"));
    cluster = await startCluster(2, { CHAT_FILES_DIR: shared });
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const { welcome } = await world.signIn(a.wsUrl, "alice");
    const res = await upload(`http://127.0.0.1:${a.port}`, welcome.token as string, "from node 1", "n1.txt");
    expect(res.status).toBe(201);
    const file = (await res.json()) as Json;
    const got = await fetch(`http://127.0.0.1:${b.port}${file.url}`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("from node 1");
    // The token is the cluster's (accounts live in Redis): node 2 takes uploads with it too.
    expect((await upload(`http://127.0.0.1:${b.port}`, welcome.token as string, "via node 2", "n2.txt")).status).toBe(201);
    const usage = (await (await b.http("/admin/files", { admin: true })).json()) as Json;
    expect(usage.total).toEqual({ files: 2, bytes: 21 });
    expect((await a.http(`/admin/files/${file.id}`, { method: "DELETE", admin: true })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${b.port}${file.url}`)).status).toBe(404);
  });
});
