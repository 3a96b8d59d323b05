// Drives the example page in headless Chromium (Debian's /usr/bin/chromium)
// with playwright-core, once per protocol: enter the caller key, list
// goals, page forward and back, open a goal, and trigger two errors. It
// prints what the page showed, and the facade requests the browser sent, as
// one JSON object on stdout; the Go test internal/clienttest asserts on it.
// A screenshot per protocol goes to ARTIFACTS_DIR.
//
// Environment: PAGE_URL (the page, on another origin than the facade),
// FACADE_URL, CALLER_KEY, ARTIFACTS_DIR; CHROMIUM (default /usr/bin/chromium).

import { mkdir } from "node:fs/promises";
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
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
} finally {
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
  page.on("request", (req) => {
    if (req.url().startsWith(facadeURL)) {
      requests.push({
        method: req.method(),
        path: new URL(req.url()).pathname,
        contentType: req.headers()["content-type"] ?? "",
      });
    }
  });
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    // Chromium logs every HTTP error status, which the Connect protocol
    // uses for failed calls; the page shows those itself.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource: the server responded with a status of")) {
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
  const act = async (action, wantError = false) => {
    const before = Number((await page.getAttribute("body", "data-done")) ?? 0);
    try {
      await action();
      await page.waitForFunction((n) => Number(document.body.dataset.done ?? 0) > n, before);
      const shown = await shownError();
      if (!wantError && shown !== null) {
        throw new Error(`the page shows an error: ${JSON.stringify(shown)}`);
      }
    } catch (err) {
      await page.screenshot({ path: `${artifacts}/example-page-${name}-failed.png`, fullPage: true });
      throw new Error(`${name}: ${err.message}; problems in the page: ${JSON.stringify(problems)}`);
    }
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
  await page.fill("#query", "ab");
  await act(() => page.click("#search-button"), true);
  const invalid = await shownError();
  await page.fill("#key", "bwf_NOTAKEY");
  await act(() => page.click("#list"), true);
  const unauthenticated = await shownError();
  await page.screenshot({ path: `${artifacts}/example-page-${name}.png`, fullPage: true });
  await context.close();
  return {
    page1,
    page2,
    backToFirst,
    labels: [firstLabel, secondLabel],
    goal,
    invalid,
    unauthenticated,
    requests,
    problems,
  };
}
