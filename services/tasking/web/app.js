// The grid worker's page: token entry, open tasks by deadline, start / outcome / test result.
// Every piece of data goes into the page through textContent or setAttribute, never as markup.

import { api, ApiError, clearToken, getToken, newRequestId, setToken } from "./api.js";
import {
  APPLIED_MEASURES, CATEGORY, ID_TYPE, MEASURE, OUTCOMES, RESULT, RESULTS, STATUS, TIER,
  clock, label, timeLeft, today,
} from "./labels.js";

const TICK_MS = 30000;
const MAX_PAGES = 10;

const $ = (id) => document.getElementById(id);

const state = {
  me: null,
  open: [],          // open tasks, by due_at
  withTests: [],     // closed tasks that still have tests without a result
  expanded: new Set(),
  drafts: new Map(),     // task_id -> {outcome, measure, note}
  testDrafts: new Map(), // test_task_id -> result code
  pending: new Map(),    // submission key -> {sig, requestId}: the same submission keeps its id
  busy: new Set(),
  messages: new Map(),   // key -> {text, kind: "ok"|"error", retry: bool}
  loadedAt: null,
};

// ---- DOM helpers -------------------------------------------------------------------------

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (k === "value") el.value = String(v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function button(text, onclick, cls = "secondary", extra = {}) {
  return h("button", { type: "button", class: cls, onclick, ...extra }, text);
}

// ---- screens -----------------------------------------------------------------------------

function showLogin(message) {
  clearToken();
  Object.assign(state, { me: null, open: [], withTests: [], loadedAt: null });
  for (const k of ["expanded", "drafts", "testDrafts", "pending", "busy", "messages"]) state[k].clear();
  $("home").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("tasks").replaceChildren();
  $("test-tasks").replaceChildren();
  const err = $("login-error");
  err.textContent = message || "";
  err.hidden = !message;
  $("token-input").value = "";
  $("token-input").focus();
}

function showHome() {
  $("login").hidden = true;
  $("home").hidden = false;
  $("logout").hidden = false;
}

function notice(text, kind = "error") {
  const el = $("notice");
  el.textContent = text || "";
  el.className = `notice ${kind}`;
  el.hidden = !text;
}

function describe(err) {
  if (!(err instanceof ApiError)) return "页面出错，请刷新后重试";
  const detail = err.message && err.message !== err.code ? `：${err.message}` : "";
  switch (true) {
    case err.network: return "网络异常，请重试";
    case err.status === 403: return `无权限执行此操作${detail}`;
    case err.status === 404: return "任务不存在或不属于本网格";
    case err.status === 409: return `操作未执行，任务状态不允许${detail}`;
    case err.status === 422: return `提交内容有误${detail}`;
    case err.status >= 500: return `服务暂时不可用，请稍后重试${detail}`;
    default: return `请求失败（${err.status}）${detail}`;
  }
}

// A 401 anywhere means the token is no good: back to the token screen.
function handleAuth(err) {
  if (err instanceof ApiError && err.status === 401) {
    showLogin("令牌无效，请重新输入");
    return true;
  }
  return false;
}

// ---- loading -----------------------------------------------------------------------------

async function allPages(params) {
  const tasks = [];
  let cursor = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await api.tasks(cursor ? { ...params, cursor } : params);
    tasks.push(...(page.tasks || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return tasks;
}

// A test whose day has come and that has no result yet (a future day cannot have one).
const awaitsResult = (test) => test.result === null && !(test.test_date > today());

const byDue = (a, b) => Date.parse(a.due_at) - Date.parse(b.due_at);

async function load() {
  $("refresh").disabled = true;
  try {
    if (!state.me) {
      state.me = await api.me();
      renderGreeting();
    }
    showHome();
    state.open = (await allPages({ limit: 50 })).filter((t) => t.status !== "closed").sort(byDue);
    try {
      const closed = await allPages({ status: "closed", limit: 50 });
      state.withTests = closed.filter((t) => (t.tests || []).some(awaitsResult));
    } catch (err) {
      if (handleAuth(err)) return;
      state.withTests = [];  // the open list matters more; say so but keep going
      notice(`检测结果列表未能加载：${describe(err)}`);
    }
    state.loadedAt = Date.now();
    if ($("notice").classList.contains("network")) notice("");
    render();
  } catch (err) {
    if (handleAuth(err)) return;
    if (!state.me) showHome();
    notice(describe(err), err instanceof ApiError && err.network ? "error network" : "error");
  } finally {
    $("refresh").disabled = false;
  }
}

function renderGreeting() {
  const me = state.me || {};
  const who = me.display_name || me.worker_id || "";
  $("hello").textContent = who ? `${who}，您好` : "您好";
  const parts = [];
  if (me.grid_id) parts.push(`网格：${me.grid_id}`);
  // A worker's township: their own tasks say it (the API's /me has no township for a worker).
  const township = me.scope === "worker"
    ? (state.open[0] || state.withTests[0] || {}).township_code : me.area_code;
  if (me.scope === "worker" && township) parts.push(`乡镇：${township}`);
  else if (me.area_code) parts.push(`${me.area_code.length === 9 ? "乡镇" : "辖区"}：${me.area_code}`);
  if (me.scope && me.scope !== "worker") {
    parts.push({ township: "乡镇督导", county: "县级督导", admin: "管理员" }[me.scope] || me.scope);
  }
  $("scope-line").textContent = parts.join("　");
}

// ---- rendering ---------------------------------------------------------------------------

function render() {
  renderGreeting();
  $("open-count").textContent = state.open.length ? `（${state.open.length}）` : "";
  $("empty").hidden = state.open.length > 0;
  $("tasks").replaceChildren(...state.open.map(taskCard));
  $("tests-block").hidden = state.withTests.length === 0;
  $("tests-count").textContent = state.withTests.length ? `（${state.withTests.length}）` : "";
  $("test-tasks").replaceChildren(...state.withTests.map(testCard));
  tick();
}

function tick() {
  for (const el of document.querySelectorAll("[data-due]")) {
    const left = timeLeft(el.dataset.due);
    el.textContent = (el.dataset.prefix || "") + left.text;
    el.classList.toggle("overdue", left.overdue);
    if (el.classList.contains("main-due")) el.closest(".task")?.classList.toggle("is-overdue", left.overdue);
  }
  if (state.loadedAt) {
    const mins = Math.floor((Date.now() - state.loadedAt) / 60000);
    $("updated").textContent = mins < 1 ? "刚刚更新" : `${mins}分钟前更新`;
  }
}

function personBlock(task) {
  const p = task.person;
  if (!p) return [h("p", { class: "name" }, "（联系方式尚未到达）")];
  const out = [h("p", { class: "name" }, p.name || "—")];
  const mobile = String(p.mobile || "").replace(/[\s-]/g, "");
  if (/^\+?[0-9]{3,20}$/.test(mobile)) {
    out.push(h("a", { class: "call", href: `tel:${mobile}` }, "拨打电话 ", h("span", {}, mobile)));
  }
  return out;
}

function chips(task) {
  return h("p", { class: "chips" },
    h("span", { class: `chip cat-${task.category}` }, label(CATEGORY, task.category)),
    h("span", { class: "chip measure" },
      task.measure === "none" ? "无管控措施" : label(MEASURE, task.measure)),
    h("span", { class: `chip status-${task.status}` }, label(STATUS, task.status)),
    task.attempt > 1 ? h("span", { class: "chip attempt" }, `第${task.attempt}次`) : null,
    task.tier && task.tier !== "grid" ? h("span", { class: "chip tier" }, `已升级至${label(TIER, task.tier)}`) : null,
  );
}

function taskCard(task) {
  const id = task.task_id;
  const open = state.expanded.has(id);
  const card = h("li", { class: "task", dataset: { taskId: id } },
    h("div", { class: "task-head" }, ...personBlock(task)),
    chips(task),
    h("p", { class: "address" }, task.address || "—"),
    h("p", { class: "due" },
      h("span", { class: "left main-due", dataset: { due: task.due_at } }),
      h("span", { class: "muted" }, `　截止 ${clock(task.due_at)}`)),
    task.last_outcome ? h("p", { class: "muted" }, `上次结果：${outcomeLabel(task.last_outcome)}`) : null,
    button(open ? "收起" : "处理", () => toggle(id), "toggle", { "aria-expanded": String(open) }),
    open ? detail(task) : null,
  );
  return card;
}

function outcomeLabel(code) {
  const found = OUTCOMES.find(([c]) => c === code);
  return found ? found[1] : String(code);
}

function toggle(id) {
  if (state.expanded.has(id)) state.expanded.delete(id);
  else state.expanded.add(id);
  render();
}

function messageFor(key) {
  const m = state.messages.get(key);
  if (!m) return null;
  return h("p", { class: `msg ${m.kind}`, role: m.kind === "error" ? "alert" : "status" }, m.text);
}

function detail(task) {
  const id = task.task_id;
  const box = h("div", { class: "detail" });
  if (task.person && task.person.id_number) {
    box.append(h("p", { class: "muted" },
      `${label(ID_TYPE, task.person.id_type)}：${task.person.id_number}`));
  }
  if (task.status === "assigned") {
    const busy = state.busy.has(`start:${id}`);
    box.append(button(busy ? "提交中…" : "开始核查", () => start(task), "primary big",
      { disabled: busy }));
    box.append(messageFor(`start:${id}`) || "");
  } else {
    box.append(outcomeForm(task));
  }
  if ((task.tests || []).length) box.append(testsList(task));
  return box;
}

function draftOf(task) {
  if (!state.drafts.has(task.task_id)) {
    const preset = APPLIED_MEASURES.includes(task.measure) ? task.measure : null;
    state.drafts.set(task.task_id, { outcome: null, measure: preset, note: "" });
  }
  return state.drafts.get(task.task_id);
}

function outcomeForm(task) {
  const id = task.task_id;
  const draft = draftOf(task);
  const key = `outcome:${id}`;
  const busy = state.busy.has(key);
  const form = h("div", { class: "outcomes" }, h("p", { class: "label" }, "核查结果"));
  for (const [code, text] of OUTCOMES) {
    const selected = draft.outcome === code;
    form.append(button(text, () => { draft.outcome = code; state.messages.delete(key); render(); },
      `choice${selected ? " selected" : ""}`, { "aria-pressed": String(selected), dataset: { outcome: code } }));
  }
  if (draft.outcome === "verified_measure_applied") {
    const group = h("fieldset", { class: "measures" }, h("legend", {}, "已落实的管控措施"));
    for (const code of APPLIED_MEASURES) {
      group.append(h("label", { class: "radio" },
        h("input", {
          type: "radio", name: `measure-${id}`, value: code, checked: draft.measure === code,
          onchange: () => { draft.measure = code; render(); },
        }),
        h("span", {}, MEASURE[code])));
    }
    form.append(group);
  }
  form.append(h("label", { class: "label", for: `note-${id}` }, "备注（可选）"));
  form.append(h("textarea", {
    id: `note-${id}`, rows: 2, maxlength: 500, value: draft.note,
    oninput: (e) => { draft.note = e.target.value; },
  }));
  const m = state.messages.get(key);
  const ready = draft.outcome && (draft.outcome !== "verified_measure_applied" || draft.measure);
  form.append(button(busy ? "提交中…" : m && m.retry ? "重试" : "提交核查结果",
    () => submitOutcome(task), "primary big", { disabled: busy || !ready }));
  form.append(messageFor(key) || "");
  return form;
}

function testsList(task, onlyPending = false) {
  const list = h("ul", { class: "tests" });
  const tests = [...task.tests].sort((a, b) => a.day - b.day)
    .filter((t) => !onlyPending || awaitsResult(t));
  for (const t of tests) list.append(testRow(t));
  return h("div", { class: "tests-box" }, h("p", { class: "label" }, "核酸检测"), list);
}

function testRow(test) {
  const key = `result:${test.test_task_id}`;
  const row = h("li", { class: "test", dataset: { testId: test.test_task_id } },
    h("p", { class: "test-head" },
      h("strong", {}, `第${test.day}天`), ` ${test.test_date || ""}`,
      test.result === null && test.result_due_at
        ? h("span", { class: "left small", dataset: { due: test.result_due_at, prefix: "录入期限 " } }) : null));
  if (test.result !== null) {
    row.append(h("p", { class: `result result-${test.result}` }, `结果：${label(RESULT, test.result)}`));
    return row;
  }
  if (test.test_date && test.test_date > today()) {
    row.querySelector(".left")?.remove();
    row.append(h("p", { class: "muted" }, "未到检测日"));
    return row;
  }
  const chosen = state.testDrafts.get(test.test_task_id);
  const busy = state.busy.has(key);
  const buttons = h("div", { class: "result-buttons" });
  for (const [code, text] of RESULTS) {
    buttons.append(button(text, () => {
      state.testDrafts.set(test.test_task_id, code); state.messages.delete(key); render();
    }, `choice r-${code}${chosen === code ? " selected" : ""}`,
    { "aria-pressed": String(chosen === code), dataset: { result: code } }));
  }
  row.append(buttons);
  if (chosen) {
    const m = state.messages.get(key);
    row.append(button(busy ? "提交中…" : m && m.retry ? "重试" : `确认录入：${RESULT[chosen]}`,
      () => submitResult(test), "primary", { disabled: busy }));
  }
  row.append(messageFor(key) || "");
  return row;
}

function testCard(task) {
  return h("li", { class: "task closed", dataset: { taskId: task.task_id } },
    h("div", { class: "task-head" }, ...personBlock(task)),
    chips(task),
    h("p", { class: "address" }, task.address || "—"),
    testsList(task, true));
}

// ---- actions -----------------------------------------------------------------------------

// The request id of a submission: kept while the same submission is retried, new otherwise.
function requestIdFor(key, sig) {
  const p = state.pending.get(key);
  if (p && p.sig === sig) return p.requestId;
  const requestId = newRequestId();
  state.pending.set(key, { sig, requestId });
  return requestId;
}

async function perform(key, fn, onDone) {
  if (state.busy.has(key)) return;
  state.busy.add(key);
  state.messages.delete(key);
  render();
  try {
    const answer = await fn();
    state.pending.delete(key);
    onDone(answer);
  } catch (err) {
    if (handleAuth(err)) return;
    const retry = err instanceof ApiError && err.retryable;
    if (!retry) state.pending.delete(key);
    state.messages.set(key, { text: describe(err), kind: "error", retry });
    if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
      state.busy.delete(key);
      await load();  // the task changed under us: show it as it is now
      state.messages.set(key, { text: describe(err), kind: "error", retry: false });
      notice(describe(err));  // also where it stays visible if the task left the list
    }
  } finally {
    state.busy.delete(key);
    if (!$("home").hidden) render();
  }
}

function replaceTask(task) {
  const i = state.open.findIndex((t) => t.task_id === task.task_id);
  if (task.status === "closed") {
    if (i >= 0) state.open.splice(i, 1);
    state.expanded.delete(task.task_id);
    state.drafts.delete(task.task_id);
    if ((task.tests || []).some(awaitsResult)
        && !state.withTests.some((t) => t.task_id === task.task_id)) {
      state.withTests.unshift(task);
    }
  } else if (i >= 0) {
    state.open[i] = task;
  }
}

function start(task) {
  const key = `start:${task.task_id}`;
  perform(key, () => api.start(task.task_id), (t) => {
    replaceTask(t);
    notice("");
  });
}

function submitOutcome(task) {
  const draft = draftOf(task);
  const key = `outcome:${task.task_id}`;
  const body = {
    outcome: draft.outcome,
    measure_applied: draft.outcome === "verified_measure_applied" ? draft.measure : null,
    note: draft.note.trim() || null,
  };
  const requestId = requestIdFor(key, JSON.stringify(body));
  perform(key, () => api.outcome(task.task_id, { ...body, request_id: requestId }), (t) => {
    state.drafts.delete(task.task_id);
    replaceTask(t);
    const who = task.person && task.person.name ? task.person.name : "该任务";
    notice(t.status === "closed"
      ? `已提交：${who}（${outcomeLabel(body.outcome)}），任务已办结`
      : `已提交：${who}（${outcomeLabel(body.outcome)}），当前状态：${label(STATUS, t.status)}`, "ok");
  });
}

function submitResult(test) {
  const result = state.testDrafts.get(test.test_task_id);
  if (!result) return;
  const key = `result:${test.test_task_id}`;
  const requestId = requestIdFor(key, result);
  perform(key, () => api.result(test.test_task_id, { result, request_id: requestId, sampled_at: null }),
    (answer) => {
      const saved = answer && answer.test_task_id ? answer : { ...test, result };
      for (const t of [...state.open, ...state.withTests]) {
        for (const [i, x] of (t.tests || []).entries()) {
          if (x.test_task_id === saved.test_task_id) t.tests[i] = { ...x, ...saved };
        }
      }
      state.testDrafts.delete(test.test_task_id);
      state.withTests = state.withTests.filter((t) => t.tests.some(awaitsResult));
      notice(`已录入第${test.day}天核酸结果：${label(RESULT, saved.result)}`, "ok");
    });
}

// ---- wiring ------------------------------------------------------------------------------

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("token-input").value.trim();
  if (!token) return;
  setToken(token);
  $("token-input").value = "";
  $("login-error").hidden = true;
  state.me = null;
  load();
});
$("logout").addEventListener("click", () => showLogin(""));
$("refresh").addEventListener("click", () => { notice(""); load(); });
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "visible" || !getToken() || $("home").hidden) return;
  // Back from a call: reload when the list is more than two minutes old, else recount.
  if (state.loadedAt && Date.now() - state.loadedAt > 120000) load();
  else tick();
});
setInterval(tick, TICK_MS);

if (getToken()) load();
else showLogin("");
