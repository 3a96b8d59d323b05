// Drives the example page in headless Chromium (Debian's /usr/bin/chromium)
// with playwright-core, once per protocol: enter the caller key, list
// goals, page forward and back, open a goal, create a goal beside it while
// the answer to its first attempt is lost, follow goals live while the
// test renames one, stop and resume, and trigger three errors.
// Screenshots (the page at the end, and while following) go to
// ARTIFACTS_DIR.
//
// It talks with the Go test internal/clienttest in JSON lines: on stdout
// it asks {"rename":{"goalId","protocol"}} when the page follows goals, and
// reads the answer, {"name"} or {"error"}, on stdin; its last line on
// stdout is {"results":{...}}, what the page showed and the facade
// requests the browser sent, which the test asserts on.
//
// Environment: PAGE_URL (the page, on another origin than the facade),
// OTHER_ORIGIN_PAGE_URL (the page on an origin the facade refuses),
// FACADE_URL, CALLER_KEY, ARTIFACTS_DIR; CHROMIUM (default /usr/bin/chromium).

import { mkdir } from "node:fs/promises";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};
const pageURL = env("PAGE_URL");
const facadeURL = env("FACADE_URL");
const callerKey = env("CALLER_KEY");
const otherOriginPageURL = env("OTHER_ORIGIN_PAGE_URL");
const artifacts = env("ARTIFACTS_DIR");
const timeout = 15_000;
// How long a change may take to reach a following page: the page polls
// every 5 s, plus the time of a poll and slack for a loaded machine.
const liveTimeout = 20_000;
// The procedure the create step calls.
const createPath = "/betterworks.v1.GoalService/CreateGoal";

// The test's answers, one JSON line each.
const answers = createInterface({ input: process.stdin });
const answerLines = answers[Symbol.asyncIterator]();
const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");

// rename asks the test to rename goal goalId, as another caller of the
// facade, and returns the new name.
async function rename(goalId, protocol) {
  send({ rename: { goalId, protocol } });
  const { value, done } = await answerLines.next();
  if (done) {
    throw new Error("the test closed stdin before renaming the goal");
  }
  const answer = JSON.parse(value);
  if (answer.error) {
    throw new Error(`the test could not rename goal ${goalId}: ${answer.error}`);
  }
  return answer.name;
}

await mkdir(artifacts, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  timeout,
});

try {
  const results = {};
  for (const protocol of ["connect", "grpcweb"]) {
    results[protocol] = await drive(protocol, pageURL);
  }
  // From an origin the facade does not allow, the browser refuses to hand
  // the answer to the page.
  const refused = await drive("connect", otherOriginPageURL, "other-origin", true);
  results.otherOrigin = { error: refused.firstError, requests: refused.requests };
  send({ results });
} finally {
  answers.close();
  await browser.close();
}

// drive runs the page at url with protocol; with justList it only lists
// goals, expecting an error.
async function drive(protocol, url, name = protocol, justList = false) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1100 } });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const requests = [];
  const problems = [];
  let loads = 0;
  page.on("load", () => loads++);
  page.on("request", (req) => {
    if (req.url().startsWith(facadeURL)) {
      requests.push({
        method: req.method(),
        path: new URL(req.url()).pathname,
        contentType: req.headers()["content-type"] ?? "",
      });
    }
  });
  page.on("requestfailed", (req) => {
    // The page aborts its stream when it stops following.
    if (req.failure()?.errorText === "net::ERR_ABORTED" && new URL(req.url()).pathname === "/betterworks.v1.GoalService/SyncGoals") {
      return;
    }
    // The create step loses the answer to its first attempt on purpose.
    if (req.failure()?.errorText === "net::ERR_CONNECTION_RESET" && new URL(req.url()).pathname === createPath) {
      return;
    }
    problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    // Chromium logs every HTTP error status, which the Connect protocol
    // uses for failed calls; the page shows those itself.
    if (
      msg.type() === "error" &&
      !msg.text().startsWith("Failed to load resource: the server responded with a status of") &&
      msg.text() !== "Failed to load resource: net::ERR_CONNECTION_RESET"
    ) {
      problems.push(`console: ${msg.text()}`);
    }
  });

  const texts = (selector) => page.locator(selector).allTextContents();
  const rows = () =>
    page.locator("#goal-rows a").evaluateAll((links) => links.map((a) => ({ id: a.dataset.goalId, name: a.textContent })));
  const shownError = async () => {
    if (await page.locator("#error").isHidden()) {
      return null;
    }
    return {
      code: await page.textContent("#error .code"),
      message: await page.textContent("#error .message"),
      violations: await texts("#error .violations li"),
      hint: await page.textContent("#error .hint"),
    };
  };

  // act runs one user action and waits until the page has handled it
  // (body[data-done] counts the actions handled); unless wantError, the
  // page must then show no error. On failure it keeps a screenshot and
  // tells what went wrong in the page.
  const act = (action, wantError = false) =>
    step(async () => {
      const before = Number((await page.getAttribute("body", "data-done")) ?? 0);
      await action();
      await page.waitForFunction((n) => Number(document.body.dataset.done ?? 0) > n, before);
      const shown = await shownError();
      if (!wantError && shown !== null) {
        throw new Error(`the page shows an error: ${JSON.stringify(shown)}`);
      }
    });
  // step runs steps of the run; on failure it keeps a screenshot and tells
  // what went wrong in the page.
  const step = async (steps) => {
    try {
      return await steps();
    } catch (err) {
      await page.screenshot({ path: `${artifacts}/example-page-${name}-failed.png`, fullPage: true });
      throw new Error(`${name}: ${err.message}; problems in the page: ${JSON.stringify(problems)}`);
    }
  };
  const followState = async () => ({
    state: await page.getAttribute("#follow-state", "data-state"),
    received: Number(await page.getAttribute("#follow-state", "data-received")),
    caughtUp: Number(await page.getAttribute("#caught-up", "data-count")),
  });
  // untilCaughtUp waits until the open stream has sent its first
  // caught-up marker.
  const untilCaughtUp = () =>
    page.waitForFunction(() => Number(document.getElementById("caught-up").dataset.count) > 0, null, { timeout: liveTimeout });
  const liveName = (id) => page.textContent(`#live-rows tr[data-goal-id="${id}"] .name`);
  // untilLive waits until the live table shows goal id named name, and
  // returns how long that took in milliseconds.
  const untilLive = async (id, name) => {
    const start = Date.now();
    try {
      await page.waitForFunction(
        ([id, name]) => document.querySelector(`#live-rows tr[data-goal-id="${id}"] .name`)?.textContent === name,
        [id, name],
        { timeout: liveTimeout },
      );
    } catch (err) {
      const shown = await liveName(id).catch(() => null);
      const state = await followState();
      throw new Error(`the live table shows goal ${id} as ${JSON.stringify(shown)} after ${liveTimeout} ms, want ${JSON.stringify(name)} (stream ${JSON.stringify(state)}): ${err.message}`);
    }
    return Date.now() - start;
  };
  await page.goto(`${url}/?facade=${encodeURIComponent(facadeURL)}`);
  await page.fill("#key", callerKey);
  await page.selectOption("#protocol", protocol);
  await act(() => page.click("#list"), justList);

  if (justList) {
    const firstError = await shownError();
    await page.screenshot({ path: `${artifacts}/example-page-${name}.png`, fullPage: true });
    await context.close();
    return { firstError, requests, problems };
  }
  const page1 = await rows();
  const firstLabel = await page.textContent("#page-label");
  await act(() => page.click("#next"));
  const page2 = await rows();
  const secondLabel = await page.textContent("#page-label");
  await act(() => page.click("#prev"));
  const backToFirst = await rows();
  await act(() => page.click("#goal-rows tr:first-child a"));
  const goal = {
    name: await page.textContent("#goal-name"),
    keyResults: await texts("#key-results li"),
    aligned: await texts("#aligned li"),
  };

  // Create a goal beside the open one. The first attempt reaches the
  // facade, which applies it, but its answer is lost on the way back (the
  // connection is reset): sendOnce must send it again under the same
  // request_id and get the first answer, replayed, not a second goal.
  const created = await step(async () => {
    const attempts = [];
    await page.route(`${facadeURL}${createPath}`, async (route) => {
      const req = route.request();
      if (req.method() !== "POST") {
        return route.continue();
      }
      const response = await route.fetch();
      attempts.push({
        body: (req.postDataBuffer() ?? Buffer.alloc(0)).toString("base64"),
        status: response.status(),
        replayed: response.headers()["idempotency-replayed"] ?? "",
      });
      if (attempts.length === 1) {
        return route.abort("connectionreset");
      }
      return route.fulfill({ response });
    });
    const name = `Created over ${protocol} ${Date.now()}`;
    await page.fill("#new-goal-name", name);
    await act(() => page.click("#create"));
    await page.unrouteAll({ behavior: "wait" });
    return { name, id: (await page.getAttribute("#created", "data-goal-id")) ?? "", attempts };
  });

  // Follow goals while the test renames one off the first page (the runs
  // of both protocols compare their first pages), then stop, let the test
  // rename it again, and resume from the last watermark.
  const target = page2[0].id;
  const followFrom = requests.length;
  const follow = await step(async () => {
    await page.click("#follow");
    await untilCaughtUp();
    const firstPass = await followState();
    const before = await liveName(target);
    const renamed = await rename(target, protocol);
    const appearedAfterMs = await untilLive(target, renamed);
    const following = await followState();
    await page.locator(`#live-rows tr[data-goal-id="${target}"]`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${artifacts}/example-page-${name}-following.png` });
    await page.click("#follow");
    const stopped = await followState();
    const renamedWhileStopped = await rename(target, protocol);
    await page.click("#follow");
    const resumedAfterMs = await untilLive(target, renamedWhileStopped);
    await untilCaughtUp();
    const resumed = await followState();
    const changedRows = await page.locator("#live-rows tr.changed").evaluateAll((rows) => rows.map((r) => r.dataset.goalId));
    await page.click("#follow");
    return {
      goalId: target,
      before,
      renamed,
      renamedWhileStopped,
      live: await liveName(target),
      appearedAfterMs,
      resumedAfterMs,
      firstPass,
      following,
      stopped,
      resumed,
      changedRows,
      error: await shownError(),
    };
  });
  follow.requests = requests.slice(followFrom);
  follow.loads = loads;

  await page.fill("#query", "ab");
  await act(() => page.click("#search-button"), true);
  const invalid = await shownError();
  await page.fill("#key", "bwf_NOTAKEY");
  await act(() => page.click("#list"), true);
  const unauthenticated = await shownError();
  // Following with the wrong key fails like the other calls.
  const followUnauthenticated = await step(async () => {
    await page.click("#follow");
    await page.waitForFunction(() => document.getElementById("follow-state").dataset.state === "error");
    return { error: await shownError(), state: await followState() };
  });
  await page.screenshot({ path: `${artifacts}/example-page-${name}.png`, fullPage: true });
  await context.close();
  return {
    page1,
    page2,
    backToFirst,
    labels: [firstLabel, secondLabel],
    goal,
    created,
    follow,
    invalid,
    unauthenticated,
    followUnauthenticated,
    requests,
    problems,
  };
}
