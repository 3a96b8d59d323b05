// The example page: asks for a caller key, lists goals a page at a time,
// opens a goal with its key results, and shows errors with their code,
// message, field violations and retry hint. Built by `npm run build` into
// dist/app.js, beside a copy of index.html.

import { createClient } from "@connectrpc/connect";
import { GoalService, type Goal } from "../gen/betterworks/v1/goal_service_pb.js";
import { createFacadeTransport, describeError, type Protocol } from "../src/index.js";

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
  element("goal-name").textContent = goal.name;
  element("goal-meta").textContent =
    `${goal.owner?.user?.name ?? "No owner"} · ${goal.start} to ${goal.end} · ${percent(goal)} done`;
  const list = (goals: Goal[]) =>
    goals.length === 0 ? [item("None")] : goals.map((g) => item(`${g.name} (${percent(g)})`));
  element("key-results").replaceChildren(...list(aligned.filter((g) => g.isKeyResult)));
  element("aligned").replaceChildren(...list(aligned.filter((g) => !g.isKeyResult)));
  goalSection.hidden = false;
}

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
