import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { parseJunit, patchConftest, SELECTIONS } from "../../../scripts/irctest.mjs";

/** The end of irctest's conftest.py at b00c039: its one new-style hook wrapper. */
const CONFTEST = `import unittest

import pytest

from irctest.runner import OptionalBehaviorNotSupported  # noqa: E402


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Called by pytest to wrap individual test execution."""
    try:
        return (yield)
    except unittest.SkipTest as e:
        if isinstance(e, OptionalBehaviorNotSupported):
            behavior = e.args[0]
            if controller := getattr(item.instance, "controller", None):
                if behavior in controller.optional_behaviors:
                    raise Exception("must support")
        raise  # skip the test after all
`;

describe("npm run irctest (scripts/irctest.mjs)", () => {
  it("rewrites irctest's wrapper=True hook as an old-style hookwrapper for pluggy 1.0, leaving the rest", () => {
    const out = patchConftest(CONFTEST);
    expect(out).not.toContain("hookimpl(wrapper=True)");
    expect(out).not.toContain("return (yield)");
    expect(out).toContain("@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_call(item):");
    expect(out).toContain("outcome = yield");
    expect(out).toContain("controller.optional_behaviors");
    expect(out.startsWith("import unittest\n\nimport pytest\n")).toBe(true);
    // Code after the hook is kept.
    expect(patchConftest(`${CONFTEST}\n\ndef after():\n    pass\n`)).toContain("def after():");
  });

  it("refuses a conftest with a wrapper=True hook it does not know, and leaves one without any as it is", () => {
    expect(() => patchConftest("@pytest.hookimpl(wrapper=True)\ndef other(item):\n    yield\n")).toThrow(/does not know how to rewrite/);
    expect(patchConftest("import pytest\n")).toBe("import pytest\n");
  });

  it("reads pytest's junit XML: passed, failed, skipped, and a teardown error counted once as failed", () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite>
<testcase classname="irctest.server_tests.join.JoinTestCase" name="testJoin" time="1.0" />
<testcase classname="irctest.server_tests.join.JoinTestCase" name="testNamreply" time="1.0"><system-out>x</system-out></testcase>
<testcase classname="irctest.server_tests.join.JoinTestCase" name="testNamreply" time="0.1"><error message="failed on teardown with &quot;JSONDecodeError&quot;">trace</error></testcase>
<testcase classname="irctest.server_tests.part.PartTestCase" name="testPart" time="1.0"><failure message="AssertionError: expected PART&#10;more">trace</failure></testcase>
<testcase classname="irctest.server_tests.list.ListTestCase" name="testListMask" time="0.0"><skipped type="pytest.skip" message="Optional behavior not supported: ELIST_M">x</skipped></testcase>
</testsuite></testsuites>`;
    expect(parseJunit(xml)).toEqual([
      { id: "join.JoinTestCase::testJoin", outcome: "passed", message: "" },
      { id: "join.JoinTestCase::testNamreply", outcome: "failed", message: 'failed on teardown with "JSONDecodeError"' },
      { id: "part.PartTestCase::testPart", outcome: "failed", message: "AssertionError: expected PART" },
      { id: "list.ListTestCase::testListMask", outcome: "skipped", message: "Optional behavior not supported: ELIST_M" },
    ]);
  });

  it("runs the two selections docs/irc.md reports", () => {
    expect(SELECTIONS.core.files).toEqual(["connection_registration", "pingpong", "quit", "join", "part", "messages", "regressions", "topic", "names", "who", "list", "isupport"]);
    expect(SELECTIONS.core.marks).toBe("not services and not implementation-specific and not deprecated and not strict and not IRCv3");
    expect(SELECTIONS.ircv3.files).toEqual(["cap", "message_tags", "echo_message", "labeled_responses"]);
  });
});
