// The example page: asks for a caller key, lists goals a page at a time,
// opens a goal with its key results, creates a goal beside it (sendOnce:
// retried under one request_id, so it is made once), follows every goal live over a
// SyncGoals stream, and shows errors with their code, message, field
// violations and retry hint. Built by `npm run build` into dist/app.js,
// beside a copy of index.html.

import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { GoalCreationSource, GoalService, MeasurementType, type Goal } from "../gen/betterworks/v1/goal_service_pb.js";
import { createFacadeTransport, describeError, sendOnce, type Protocol } from "../src/index.js";

const pageSize = 10;

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) {
    throw new Error(`index.html has no #${id}`);
  }
  return el as T;
}

const facadeInput = element<HTMLInputElement>("facade");
const keyInput = element<HTMLInputElement>("key");
const protocolSelect = element<HTMLSelectElement>("protocol");
const queryInput = element<HTMLInputElement>("query");
const errorBox = element<HTMLDivElement>("error");
const goalsSection = element<HTMLElement>("goals");
const goalRows = element<HTMLTableSectionElement>("goal-rows");
const prevButton = element<HTMLButtonElement>("prev");
const nextButton = element<HTMLButtonElement>("next");
const pageLabel = element<HTMLSpanElement>("page-label");
const goalSection = element<HTMLElement>("goal");
const newGoalName = element<HTMLInputElement>("new-goal-name");
const createdLabel = element<HTMLParagraphElement>("created");
const followButton = element<HTMLButtonElement>("follow");
const followState = element<HTMLSpanElement>("follow-state");
const caughtUpLabel = element<HTMLSpanElement>("caught-up");
const liveTable = element<HTMLTableElement>("live-table");
const liveRows = element<HTMLTableSectionElement>("live-rows");

// ?facade=<url> presets the facade's URL; the default is the demo server's.
facadeInput.value = new URLSearchParams(location.search).get("facade") ?? "http://localhost:8080";

function goals() {
  return createClient(
    GoalService,
    createFacadeTransport({
      baseUrl: facadeInput.value.replace(/\/+$/, ""),
      key: keyInput.value.trim(),
      protocol: protocolSelect.value as Protocol,
    }),
  );
}

interface Page {
  goals: Goal[];
  nextPageToken: string;
}

// The listing on screen: how to fetch a page, and the token of every page
// up to the next one ("" for the first).
let fetchPage: (pageToken: string) => Promise<Page> = () => Promise.resolve({ goals: [], nextPageToken: "" });
let pageTokens: string[] = [""];
let done = 0;

// attempt runs call, shows its error if it fails, and counts finished calls
// in body[data-done] so that a test can wait for one.
async function attempt<T>(call: () => Promise<T>): Promise<T | undefined> {
  errorBox.hidden = true;
  document.body.setAttribute("aria-busy", "true");
  try {
    return await call();
  } catch (err) {
    showError(err);
    return undefined;
  } finally {
    document.body.removeAttribute("aria-busy");
    document.body.dataset.done = String(++done);
  }
}

function showError(err: unknown): void {
  const e = describeError(err);
  errorBox.querySelector(".code")!.textContent = e.code;
  errorBox.querySelector(".message")!.textContent = e.message + (e.reason ? ` (${e.reason})` : "");
  errorBox.querySelector(".violations")!.replaceChildren(...e.violations.map((v) => item(v)));
  let hint: string;
  if (e.retryAfterSeconds !== undefined) {
    hint = `Retry in ${Math.ceil(e.retryAfterSeconds)} s.`;
  } else if (e.retryable) {
    hint = "Retrying later may help.";
  } else if (!e.answered) {
    hint = "No answer from the facade: check its URL, that it runs, and that it allows this page's origin (BWFACADE_CORS_ORIGINS).";
  } else if (e.code === "Unauthenticated") {
    hint = "Check the caller key.";
  } else {
    hint = "Retrying will not help: change the request.";
  }
  errorBox.querySelector(".hint")!.textContent = hint;
  errorBox.hidden = false;
}

function item(text: string): HTMLLIElement {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

function percent(goal: Goal): string {
  return `${Math.round((goal.measurement?.progress ?? 0) * 100)}%`;
}

// showPage shows page index of the listing fetch with the page tokens
// known so far; the listing on screen changes only when that page arrives.
async function showPage(fetch: typeof fetchPage, tokens: string[], index: number): Promise<void> {
  const page = await attempt(() => fetch(tokens[index]));
  if (page === undefined) {
    return;
  }
  fetchPage = fetch;
  pageTokens = tokens.slice(0, index + 1);
  if (page.nextPageToken !== "") {
    pageTokens.push(page.nextPageToken);
  }
  goalRows.replaceChildren(
    ...page.goals.map((goal) => {
      const row = document.createElement("tr");
      const name = document.createElement("td");
      name.className = "name";
      const link = document.createElement("a");
      link.href = `#goal-${goal.id}`;
      link.dataset.goalId = String(goal.id);
      link.textContent = goal.name;
      name.append(link);
      const owner = document.createElement("td");
      owner.textContent = goal.owner?.user?.name ?? "";
      const progress = document.createElement("td");
      progress.className = "progress";
      progress.textContent = percent(goal);
      row.append(name, owner, progress);
      return row;
    }),
  );
  pageLabel.textContent = `Page ${index + 1}`;
  pageLabel.dataset.index = String(index);
  prevButton.disabled = index === 0;
  nextButton.disabled = pageTokens.length <= index + 1;
  goalsSection.hidden = false;
}

// The goal on screen, beside which a new goal is created.
let openedGoal: Goal | undefined;

async function openGoal(goalId: string): Promise<void> {
  const client = goals();
  const result = await attempt(() =>
    Promise.all([
      client.getGoal({ goalId }),
      // Key results and aligned goals are the goals aligned directly to this one.
      client.listGoals({ alignedToGoal: { id: goalId, direct: true }, pageSize: 100 }),
    ]),
  );
  if (result === undefined) {
    return;
  }
  const [{ goal }, { goals: aligned }] = result;
  if (goal === undefined) {
    return;
  }
  openedGoal = goal;
  createdLabel.textContent = "";
  delete createdLabel.dataset.goalId;
  element("goal-name").textContent = goal.name;
  element("goal-meta").textContent =
    `${goal.owner?.user?.name ?? "No owner"} · ${goal.start} to ${goal.end} · ${percent(goal)} done`;
  const list = (goals: Goal[]) =>
    goals.length === 0 ? [item("None")] : goals.map((g) => item(`${g.name} (${percent(g)})`));
  element("key-results").replaceChildren(...list(aligned.filter((g) => g.isKeyResult)));
  element("aligned").replaceChildren(...list(aligned.filter((g) => !g.isKeyResult)));
  goalSection.hidden = false;
}

// createBeside creates a goal named name for the owner of goal, over its
// period, with its visibility, categories and attributes (an organisation
// may require them), its progress the average of its key results'. sendOnce gives the request a request_id and retries it under
// that id when the answer is lost or the failure is retryable: the facade
// applies it once and answers a retry with the first answer.
async function createBeside(goal: Goal, name: string): Promise<void> {
  const client = goals();
  const res = await attempt(() =>
    sendOnce((req) => client.createGoal(req), {
      requestId: "",
      ownerUserId: String(goal.owner?.user?.id ?? ""),
      name,
      start: goal.start,
      end: goal.end,
      visibility: goal.visibility,
      creationSource: GoalCreationSource.MANUAL,
      type: MeasurementType.AVG_OF_PROGRESS,
      categoryIds: goal.categories.map((c) => String(c.id)),
      attributeScope: goal.attributeScope,
      attributeType: goal.attributeType,
    }),
  );
  if (res?.goal === undefined) {
    return;
  }
  createdLabel.textContent = `Created goal ${res.goal.id}: ${res.goal.name}`;
  createdLabel.dataset.goalId = String(res.goal.id);
}

element<HTMLFormElement>("new-goal").addEventListener("submit", (event) => {
  event.preventDefault();
  if (openedGoal !== undefined) {
    void createBeside(openedGoal, newGoalName.value.trim());
  }
});

element<HTMLFormElement>("caller").addEventListener("submit", (event) => {
  event.preventDefault();
  void showPage((pageToken) => goals().listGoals({ pageSize, pageToken }), [""], 0);
});

element<HTMLFormElement>("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const query = queryInput.value;
  void showPage((pageToken) => goals().searchGoals({ query, pageSize, pageToken }), [""], 0);
});

prevButton.addEventListener("click", () => void showPage(fetchPage, pageTokens, Number(pageLabel.dataset.index) - 1));
nextButton.addEventListener("click", () => void showPage(fetchPage, pageTokens, Number(pageLabel.dataset.index) + 1));

goalRows.addEventListener("click", (event) => {
  const link = (event.target as HTMLElement).closest<HTMLAnchorElement>("a[data-goal-id]");
  if (link !== null) {
    event.preventDefault();
    void openGoal(link.dataset.goalId!);
  }
});

// Following: one SyncGoals stream at a time, which sends every goal, then
// a caught-up marker, then the goals that change, polled every
// pollSeconds (the facade's minimum), each poll ending in a marker.

const pollSeconds = 5;

type FollowState = "idle" | "connecting" | "catching-up" | "following" | "stopped" | "ended" | "error";

// The stream's AbortController while one is open; stopping aborts it.
let follower: AbortController | undefined;
// The last watermark received, and the facade and key it belongs to (a
// watermark is bound to its caller): following again with the same ones
// resumes from it, with the live table kept.
let watermark = "";
let watermarkOf = "";
// The live table's rows by goal id, in the order the goals first came,
// and whether it has caught up once (after which changed rows are marked).
const liveRowsById = new Map<string, HTMLTableRowElement>();
let caughtUpOnce = false;

function setFollowState(state: FollowState, text: string): void {
  followState.dataset.state = state;
  followState.textContent = text;
  const open = state === "connecting" || state === "catching-up" || state === "following";
  followButton.textContent = open ? "Stop following" : watermark !== "" ? "Resume following" : "Follow";
}

// follow opens a following SyncGoals stream over the protocol selected,
// from the last watermark if it belongs to the same facade and key, and
// keeps the live table up to date until the stream stops. A stopped
// stream only touches the page while it is still the one open.
async function follow(): Promise<void> {
  const caller = `${facadeInput.value}\n${keyInput.value.trim()}`;
  if (caller !== watermarkOf) {
    watermark = "";
    watermarkOf = caller;
    liveRowsById.clear();
    liveRows.replaceChildren();
    liveTable.hidden = true;
    caughtUpOnce = false;
    caughtUpLabel.textContent = "";
    delete caughtUpLabel.dataset.at;
  }
  const controller = new AbortController();
  follower = controller;
  const current = () => follower === controller;
  errorBox.hidden = true;
  let received = 0;
  let caughtUp = 0;
  // Per stream: the goals received and the caught-up markers.
  followState.dataset.received = "0";
  caughtUpLabel.dataset.count = "0";
  setFollowState("connecting", watermark === "" ? "Connecting..." : "Resuming from the last watermark...");
  try {
    const stream = goals().syncGoals(
      { filter: {}, watermark, follow: true, pollInterval: { seconds: BigInt(pollSeconds) } },
      // No deadline: the stream stays open until stopped.
      { signal: controller.signal, timeoutMs: 0 },
    );
    for await (const batch of stream) {
      if (!current()) {
        return;
      }
      for (const goal of batch.goals) {
        showLiveGoal(goal);
      }
      received += batch.goals.length;
      followState.dataset.received = String(received);
      if (batch.watermark !== "") {
        watermark = batch.watermark;
      }
      if (batch.caughtUp) {
        caughtUp++;
        caughtUpOnce = true;
        const at = new Date();
        caughtUpLabel.dataset.count = String(caughtUp);
        caughtUpLabel.dataset.at = at.toISOString();
        caughtUpLabel.textContent = `Last caught up at ${at.toLocaleTimeString()}.`;
        setFollowState("following", `Following ${liveRowsById.size} goals: up to date, polled every ${pollSeconds} s.`);
      } else if (caughtUp === 0) {
        setFollowState("catching-up", `Catching up: ${received} goals so far...`);
      }
    }
    if (current()) {
      setFollowState("ended", "The facade ended the stream; resume to go on.");
    }
  } catch (err) {
    if (current()) {
      showError(err);
      setFollowState("error", "Stopped by an error; resume to go on from the last watermark.");
    }
  } finally {
    if (current()) {
      follower = undefined;
    }
  }
}

// stopFollowing closes the open stream, if any.
function stopFollowing(): void {
  const controller = follower;
  if (controller === undefined) {
    return;
  }
  follower = undefined;
  controller.abort();
  setFollowState("stopped", "Stopped.");
}

// showLiveGoal inserts goal into the live table, or replaces its row;
// rows replaced after the first catch-up are marked as changed.
function showLiveGoal(goal: Goal): void {
  const id = String(goal.id);
  const row = document.createElement("tr");
  row.dataset.goalId = id;
  const name = document.createElement("td");
  name.className = "name";
  name.textContent = goal.name;
  const owner = document.createElement("td");
  owner.textContent = goal.owner?.user?.name ?? "";
  const progress = document.createElement("td");
  progress.className = "progress";
  progress.textContent = percent(goal);
  const modified = document.createElement("td");
  modified.textContent = goal.modifiedOn ? timestampDate(goal.modifiedOn).toISOString().slice(0, 19).replace("T", " ") : "";
  row.append(name, owner, progress, modified);
  const old = liveRowsById.get(id);
  if (old === undefined) {
    liveRows.append(row);
  } else {
    row.classList.toggle("changed", caughtUpOnce);
    old.replaceWith(row);
  }
  liveRowsById.set(id, row);
  liveTable.hidden = false;
}

followButton.addEventListener("click", () => {
  if (follower !== undefined) {
    stopFollowing();
  } else {
    void follow();
  }
});

// Leaving the page closes the stream.
addEventListener("pagehide", stopFollowing);
