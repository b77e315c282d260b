// CodePipeline Lab quiz widget: answers are checked here, so it works with or without a kernel.
// Traits read: mode ("quiz" | "exam"), title, questions, minutes, labels. Traits written: answers, result.
let uid = 0;
const WORDS = { 2: "TWO", 3: "THREE" };

function h(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "text") e.textContent = v;
    else if (k === "html") e.innerHTML = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  e.append(...kids.filter((k) => k != null));
  return e;
}

const rightSet = (q) => q.options.filter((o) => o.correct).map((o) => o.i);
const same = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

// One question: stem, options (radio or checkbox), explanations; `show(true)` reveals feedback.
function questionView(q, n, total, onChange) {
  const name = `cpq${++uid}`;
  const multi = q.type === "multiple";
  const ask = multi ? `Choose ${WORDS[q.choose]}` : "Choose ONE";
  const head = h("h4", { class: "cpq-head", tabindex: "-1", text: `Question ${n} of ${total} · ${ask}` });
  const group = h("div", { role: multi ? "group" : "radiogroup", "aria-labelledby": `${name}-h`, class: "cpq-options" });
  head.id = `${name}-h`;
  const rows = q.options.map((o) => {
    const input = h("input", { type: multi ? "checkbox" : "radio", name, value: String(o.i) });
    const why = h("div", { class: "cpq-why", hidden: "" });
    const row = h("div", { class: "cpq-option" }, h("label", {}, input, h("span", { text: o.text })), why);
    input.addEventListener("change", () => { limit(); onChange(); });
    group.append(row);
    return { o, input, why, row };
  });
  const selected = () => rows.filter((r) => r.input.checked).map((r) => r.o.i);
  function limit() {
    if (!multi) return;
    const full = selected().length >= q.choose;
    rows.forEach((r) => { if (!r.input.checked) r.input.disabled = full; });
  }
  function show(on) {
    for (const r of rows) {
      const chosen = r.input.checked;
      r.row.classList.toggle("cpq-right", on && r.o.correct);
      r.row.classList.toggle("cpq-wrong", on && chosen && !r.o.correct);
      r.input.disabled = on;
      r.why.hidden = !on;
      r.why.textContent = on ? `${r.o.correct ? "✓ Correct answer" : "✗ Not correct"}${chosen ? " (your choice)" : ""}: ${r.o.explanation}` : "";
    }
    if (!on) limit();
  }
  function reset() { rows.forEach((r) => { r.input.checked = false; }); show(false); }
  const el = h("fieldset", { class: "cpq-q", "data-id": q.id }, head, h("div", { class: "cpq-stem", html: q.stem }), group);
  return { el, head, selected, show, reset, ready: () => selected().length === q.choose };
}

function refsView(q) {
  const r = q.refs;
  return h("p", { class: "cpq-refs", text: `Learn more: ${r.notebook} › ${r.heading}; AWS docs: ${r.docs.join("; ")}` });
}

function save(model, key, value) { model.set(key, value); model.save_changes(); }

function renderQuiz(model, root) {
  const qs = model.get("questions");
  qs.forEach((q, k) => {
    const status = h("div", { class: "cpq-status", role: "status", "aria-live": "polite" });
    const check = h("button", { type: "button", class: "cpq-btn", disabled: "", text: "Check" });
    const retry = h("button", { type: "button", class: "cpq-btn", hidden: "", text: "Try again" });
    const view = questionView(q, k + 1, qs.length, () => {
      check.disabled = !view.ready();
      status.textContent = q.type === "multiple" ? `${view.selected().length} of ${q.choose} selected` : "";
    });
    let attempts = 0;
    check.addEventListener("click", () => {
      const chosen = view.selected();
      const ok = same(chosen, rightSet(q));
      attempts += 1;
      view.show(true);
      check.hidden = true; retry.hidden = false;
      status.textContent = ok ? "✓ Correct." : "✗ Not quite. Read the explanations, then try again.";
      status.className = `cpq-status ${ok ? "cpq-ok" : "cpq-bad"}`;
      const answers = { ...model.get("answers") };
      answers[q.id] = { selected: chosen.sort((a, b) => a - b), correct: ok, attempts };
      save(model, "answers", answers);
      retry.focus();
    });
    retry.addEventListener("click", () => {
      view.reset();
      retry.hidden = true; check.hidden = false; check.disabled = true;
      status.textContent = ""; status.className = "cpq-status";
      view.head.focus();
    });
    view.el.append(h("div", { class: "cpq-actions" }, check, retry, status), refsView(q));
    root.append(view.el);
  });
}

function tally(rows, key, labels) {
  const t = {};
  for (const r of rows) {
    const k = r.q[key];
    t[k] = t[k] || { right: 0, total: 0 };
    t[k].total += 1;
    if (r.ok) t[k].right += 1;
  }
  const table = h("table", { class: "cpq-table" }, h("tr", {}, h("th", { text: key === "topic" ? "Topic" : "Domain" }), h("th", { text: "Score" })));
  Object.keys(t).sort().forEach((k) => table.append(h("tr", {}, h("td", { text: labels[k] ? `${k} ${labels[k]}` : k }), h("td", { text: `${t[k].right} / ${t[k].total}` }))));
  return { t, table };
}

function renderExam(model, root) {
  const qs = model.get("questions");
  const labels = model.get("labels");
  const views = qs.map((q, k) => questionView(q, k + 1, qs.length, () => {}));
  const stage = h("div", { class: "cpq-stage" });
  const clock = h("span", { class: "cpq-clock", role: "timer", "aria-live": "off" });
  let at = 0, timer = null, done = false;
  const prev = h("button", { type: "button", class: "cpq-btn", text: "Previous" });
  const next = h("button", { type: "button", class: "cpq-btn", text: "Next" });
  const finish = h("button", { type: "button", class: "cpq-btn cpq-primary", text: "Finish exam" });
  function go(k, focus = true) {
    at = Math.max(0, Math.min(qs.length - 1, k));
    stage.replaceChildren(views[at].el);
    prev.disabled = at === 0; next.disabled = at === qs.length - 1;
    if (focus) views[at].head.focus();
  }
  prev.addEventListener("click", () => go(at - 1));
  next.addEventListener("click", () => go(at + 1));
  finish.addEventListener("click", () => end(false));
  const bar = h("div", { class: "cpq-actions" }, prev, next, finish, clock);
  root.append(bar, stage);
  go(0, false); // no focus on first render: the page must not jump to the widget
  const minutes = model.get("minutes");
  if (minutes > 0) {
    const stop = Date.now() + minutes * 60000;
    const tick = () => {
      const left = Math.max(0, Math.round((stop - Date.now()) / 1000));
      clock.textContent = `Time left ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      if (left === 0) end(true);
    };
    tick();
    timer = setInterval(tick, 1000);
  }
  function end(timeUp) {
    if (done) return;
    done = true;
    clearInterval(timer);
    const rows = qs.map((q, k) => ({ q, chosen: views[k].selected(), ok: same(views[k].selected(), rightSet(q)) }));
    const score = rows.filter((r) => r.ok).length;
    const topics = tally(rows, "topic", labels.topics || {});
    const domains = tally(rows, "domain", labels.domains || {});
    const head = h("h4", { class: "cpq-head", tabindex: "-1", text: `${timeUp ? "Time is up. " : ""}Score: ${score} / ${qs.length} (${Math.round((100 * score) / qs.length)}%)` });
    const review = rows.filter((r) => !r.ok).map((r) => {
      const k = rows.indexOf(r);
      views[k].show(true);
      return views[k].el;
    });
    root.replaceChildren(root.firstChild, h("div", { class: "cpq-result" }, head, topics.table, domains.table,
      h("h4", { text: review.length ? `Review of ${review.length} missed question(s)` : "No missed questions." }), ...review));
    head.focus();
    save(model, "result", {
      score, total: qs.length, time_up: timeUp,
      answers: Object.fromEntries(rows.map((r) => [r.q.id, { selected: r.chosen.sort((a, b) => a - b), correct: r.ok }])),
      topics: topics.t, domains: domains.t,
    });
  }
  return () => clearInterval(timer);
}

export default {
  render({ model, el }) {
    const root = h("div", { class: "cpq", role: "region", "aria-label": model.get("title") },
      h("h3", { class: "cpq-title", text: model.get("title") }));
    el.append(root);
    return model.get("mode") === "exam" ? renderExam(model, root) : renderQuiz(model, root);
  },
};
