#!/usr/bin/env node
/**
 * `npm run irctest [-- core|ircv3|all] [--controller=chatd|ergo] [-- pytest args]`
 *
 * Runs irctest (https://github.com/progval/irctest, a snapshot at IRCTEST_DIR;
 * never part of this repository) against chatd's IRC gateway through
 * test/irctest/chatd_controller.py, or against Ergo (ERGO_BIN) with irctest's own
 * controller, on the two selections docs/irc.md reports:
 *
 * - core:  RFC 1459/2812 registration, ping, quit, join, part, messages,
 *          regressions, topic, names, who, list, isupport, marked
 *          `not services and not implementation-specific and not deprecated
 *          and not strict and not IRCv3`;
 * - ircv3: cap, message_tags, echo_message, labeled_responses.
 *
 * irctest's conftest.py uses pluggy's `wrapper=True`, which Debian bookworm's
 * pluggy 1.0 does not know: the tests run from a temporary directory holding a
 * copy of conftest.py with that one hook rewritten as an old-style
 * `hookwrapper`, pytest.ini, and a link to irctest's package. Their checkout is
 * never written to. Results: a summary here and
 * test-results/irctest-<controller>-<selection>.json (every test's outcome).
 */
import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const SELECTIONS = {
  core: {
    files: ["connection_registration", "pingpong", "quit", "join", "part", "messages", "regressions", "topic", "names", "who", "list", "isupport"],
    marks: "not services and not implementation-specific and not deprecated and not strict and not IRCv3",
  },
  ircv3: {
    files: ["cap", "message_tags", "echo_message", "labeled_responses"],
    marks: "not services and not implementation-specific and not deprecated and not strict",
  },
};

const CONTROLLERS = {
  chatd: { module: "chatd_controller" },
  ergo: { module: "irctest.controllers.ergo" },
};

/** irctest's one new-style hook wrapper, rewritten for pluggy 1.0 (same behaviour). */
const OLD_STYLE_HOOK = `@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Rewritten by chatd's scripts/irctest.mjs as an old-style hookwrapper
    (Debian bookworm's pluggy 1.0 has no wrapper=True); same behaviour."""
    outcome = yield
    if outcome.excinfo is not None and issubclass(outcome.excinfo[0], unittest.SkipTest):
        e = outcome.excinfo[1]
        if isinstance(e, OptionalBehaviorNotSupported):
            behavior = e.args[0]
            if controller := getattr(item.instance, "controller", None):
                if behavior in controller.optional_behaviors:
                    raise Exception(
                        f"Software {controller.software_name} must support behavior {behavior} but does not"
                    )
`;

export function patchConftest(text) {
  const start = text.indexOf("@pytest.hookimpl(wrapper=True)\ndef pytest_runtest_call(item):");
  if (start < 0) {
    if (text.includes("wrapper=True")) throw new Error("irctest's conftest.py has a wrapper=True hook this runner does not know how to rewrite");
    return text;
  }
  // The hook runs to the next top-level statement (or the end of the file).
  const rest = text.slice(start);
  const next = /\n(?=[^\s#])/g;
  next.lastIndex = rest.indexOf("\n", rest.indexOf("def pytest_runtest_call")) + 1;
  let end = rest.length;
  for (let m; (m = next.exec(rest)); ) {
    end = m.index + 1;
    break;
  }
  return text.slice(0, start) + OLD_STYLE_HOOK + rest.slice(end);
}

/**
 * The pytest junit XML as [{ id, outcome, message }] (outcome: passed, failed,
 * skipped). An error in a test's teardown is a second entry for the same test:
 * the test counts once, as failed.
 */
export function parseJunit(xml) {
  const byId = new Map();
  const unescape = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#10;/g, "\n").replace(/&amp;/g, "&");
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m; (m = re.exec(xml)); ) {
    const attr = (name) => unescape(new RegExp(`\\b${name}="([^"]*)"`).exec(m[1])?.[1] ?? "");
    const body = m[3] ?? "";
    const tag = /<(failure|error|skipped)\b([^>]*?)(\/>|>)/.exec(body);
    const outcome = !tag ? "passed" : tag[1] === "skipped" ? "skipped" : "failed";
    const message = tag ? unescape(/\bmessage="([^"]*)"/.exec(tag[2])?.[1] ?? "") : "";
    const id = `${attr("classname").replace(/^irctest\.server_tests\./, "")}::${attr("name")}`;
    if (byId.get(id)?.outcome === "failed") continue;
    byId.set(id, { id, outcome, message: message.split("\n")[0].slice(0, 300) });
  }
  return [...byId.values()];
}

function python() {
  if (process.env.IRCTEST_PYTHON) return process.env.IRCTEST_PYTHON;
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

function runSelection({ irctestDir, controller, selection, extra, env }) {
  const sel = SELECTIONS[selection];
  const work = mkdtempSync(join(tmpdir(), "chatd-irctest-"));
  try {
    writeFileSync(join(work, "conftest.py"), patchConftest(readFileSync(join(irctestDir, "conftest.py"), "utf8")));
    copyFileSync(join(irctestDir, "pytest.ini"), join(work, "pytest.ini"));
    symlinkSync(join(irctestDir, "irctest"), join(work, "irctest"));
    const junit = join(work, "results.xml");
    const args = [
      "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfs", "--timeout=60",
      "--controller", CONTROLLERS[controller].module,
      "-m", sel.marks,
      `--junitxml=${junit}`,
      ...sel.files.map((f) => `irctest/server_tests/${f}.py`),
      ...extra,
    ];
    console.log(`irctest ${selection} against ${controller}: ${python()} ${args.join(" ")}`);
    // irctest keeps the ports it hands out in $TMPDIR/irctest_ports.json: a TMPDIR of
    // this run's own keeps two runs at once from reading each other's half-written file.
    const r = spawnSync(python(), args, { cwd: work, stdio: "inherit", env: { ...env, TMPDIR: work } });
    if (!existsSync(junit)) throw new Error(`pytest wrote no results (exit ${r.status ?? r.signal})`);
    const tests = parseJunit(readFileSync(junit, "utf8"));
    const count = (o) => tests.filter((t) => t.outcome === o).length;
    const summary = { controller, selection, marks: sel.marks, files: sel.files, total: tests.length, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), tests };
    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    const file = join(ROOT, "test-results", `irctest-${controller}-${selection}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`\n${controller} ${selection}: ${summary.passed} of ${summary.total} passed, ${summary.failed} failed, ${summary.skipped} skipped (${file})`);
    return summary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main() {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf("--");
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const extra = dash >= 0 ? argv.slice(dash + 1) : [];
  const controller = own.find((a) => a.startsWith("--controller="))?.split("=")[1] ?? "chatd";
  const which = own.find((a) => !a.startsWith("--")) ?? "all";
  if (!CONTROLLERS[controller]) throw new Error(`--controller: one of ${Object.keys(CONTROLLERS).join(", ")}`);
  const selections = which === "all" ? Object.keys(SELECTIONS) : [which];
  for (const s of selections) if (!SELECTIONS[s]) throw new Error(`selection: core, ircv3 or all, not ${s}`);

  const irctestDir = process.env.IRCTEST_DIR;
  if (!irctestDir || !existsSync(join(irctestDir, "irctest", "server_tests"))) {
    console.error("npm run irctest needs IRCTEST_DIR: a checkout of https://github.com/progval/irctest (docs/irc.md says which commit the results are from)");
    process.exit(2);
  }
  const env = { ...process.env, PYTHONPATH: [join(ROOT, "test", "irctest"), process.env.PYTHONPATH].filter(Boolean).join(delimiter), PYTHONDONTWRITEBYTECODE: "1" };
  if (controller === "ergo") {
    const bin = process.env.ERGO_BIN;
    if (!bin || !existsSync(bin)) {
      console.error("--controller=ergo needs ERGO_BIN: an ergo binary (docs/irc.md says how to build Ergo v2.11.1)");
      process.exit(2);
    }
    // irctest's Ergo controller runs `ergo` from PATH.
    const binDir = mkdtempSync(join(tmpdir(), "chatd-irctest-bin-"));
    symlinkSync(resolve(bin), join(binDir, "ergo"));
    env.PATH = `${binDir}${delimiter}${env.PATH}`;
  } else {
    execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--if-stale"], { cwd: ROOT, stdio: "inherit" });
    env.CHATD_ROOT = ROOT;
    env.CHATD_NODE = process.execPath;
  }
  const results = selections.map((selection) => runSelection({ irctestDir, controller, selection, extra, env }));
  console.log("");
  for (const r of results) console.log(`${basename(controller)} ${r.selection}: ${r.passed}/${r.total} passed (${r.failed} failed, ${r.skipped} skipped)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
