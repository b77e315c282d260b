// The book's practice exam: the whole question bank, in the browser, with no kernel and no network
// beyond this site. scripts/build_book.py copies this file, quiz.js, quiz.css and practice-exam.css
// into the site's _static/_exam/ and writes bank.json there (every question of quizzes/*.yaml, as the
// quiz widget receives it). The exam itself (one question at a time, the clock, the score per topic
// and per DOP-C02 domain, the review of missed questions) is quiz.js's exam mode, driven through a
// small stand-in for the widget model. Progress stays in this browser (localStorage) and decides
// the next round: weakest topics first, missed and unseen questions before ones answered right.
//
// URL parameters, for tests and instructors: ?questions=N preselects the round size;
// ?seconds=S times the round at S seconds in all (a short round that runs out at once).
import quiz from "./quiz.js";

const KEY = "codepipeline-lab:practice-exam:v1";
const PACE = 180 / 75; // DOP-C02: 75 questions in 180 minutes
const FOCUS_WEIGHT = 3; // as PracticeExam(focus="weakest") in Python
const SIZES = [10, 20, 40];
const minutesFor = (count) => Math.max(1, Math.round(count * PACE));
const here = (name) => new URL(name, import.meta.url).href;

function h(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  e.append(...kids.filter((k) => k != null));
  return e;
}

// ---- progress in localStorage -------------------------------------------------------------
const store = {
  ok: true,
  load() {
    try {
      const saved = JSON.parse(localStorage.getItem(KEY) || "null");
      if (saved && saved.version === 1) return saved;
    } catch (e) {
      this.ok = !(e instanceof DOMException);
    }
    return { version: 1, rounds: [], questions: {} };
  },
  save(progress) {
    try {
      localStorage.setItem(KEY, JSON.stringify(progress));
      return true;
    } catch (e) {
      this.ok = false;
      return false;
    }
  },
  clear() {
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
  },
};

function record(progress, result, round) {
  for (const [id, answer] of Object.entries(result.answers)) {
    const q = (progress.questions[id] = progress.questions[id] || { seen: 0, right: 0 });
    q.seen += 1;
    if (answer.correct) q.right += 1;
    q.last = answer.correct;
  }
  progress.rounds.push({
    finished: new Date().toISOString(), score: result.score, total: result.total, time_up: result.time_up,
    minutes: round.minutes, weakest_first: round.weakest, topics: result.topics, domains: result.domains,
  });
}

// topic or domain -> {right, total}, summed over every finished round
function totals(progress, key) {
  const t = {};
  for (const round of progress.rounds) {
    for (const [k, v] of Object.entries(round[key] || {})) {
      t[k] = t[k] || { right: 0, total: 0 };
      t[k].right += v.right;
      t[k].total += v.total;
    }
  }
  return t;
}

// The topics with the lowest share of right answers (ties: fewer answers first, then name), as in Python.
function weakest(progress, howMany = 2) {
  const t = totals(progress, "topics");
  return Object.keys(t)
    .filter((k) => t[k].total > 0)
    .sort((a, b) => t[a].right / t[a].total - t[b].right / t[b].total || t[a].total - t[b].total || (a < b ? -1 : 1))
    .slice(0, howMany);
}

// ---- drawing a round --------------------------------------------------------------------
function rng(seed) { // mulberry32: small, seeded, good enough to shuffle
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(list, random) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

// Round-robin over topics (a weak topic gives FOCUS_WEIGHT questions per turn); inside a topic,
// questions missed last time come first, then unseen ones, then ones answered right.
function draw(bank, count, focus, progress, random) {
  const rank = (q) => { const p = progress.questions[q.id]; return !p ? 1 : p.last ? 2 : 0; };
  const pools = {};
  for (const q of shuffle([...bank], random)) (pools[q.topic] = pools[q.topic] || []).push(q);
  for (const pool of Object.values(pools)) pool.sort((a, b) => rank(b) - rank(a)); // pop() takes the lowest rank
  const weight = (t) => (focus.includes(t) ? FOCUS_WEIGHT : 1);
  const order = (t) => (focus.includes(t) ? focus.indexOf(t) : focus.length); // weak topics take the first turns
  const turns = Object.keys(pools).sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1)).flatMap((t) => Array(weight(t)).fill(t));
  const chosen = [];
  while (chosen.length < count && turns.some((t) => pools[t].length)) {
    for (const t of turns) if (pools[t].length && chosen.length < count) chosen.push(pools[t].pop());
  }
  shuffle(chosen, random);
  // weakest topics first: their questions lead the round, in the order of weakness
  return chosen.map((q, k) => [q, k]).sort((a, b) => order(a[0].topic) - order(b[0].topic) || a[1] - b[1]).map(([q]) => q);
}

// ---- views --------------------------------------------------------------------------------
const pct = (r) => `${Math.round((100 * r.right) / r.total)}%`;

function scoreTable(caption, t, labels) {
  const keys = Object.keys(t).sort();
  const table = h("table", { class: "cpq-table cpx-table" }, h("caption", { text: caption }),
    h("tr", {}, h("th", { text: caption.split(" ")[0] }), h("th", { text: "Right" }), h("th", { text: "Share" })));
  for (const k of keys) {
    table.append(h("tr", {}, h("td", { text: labels[k] ? `${k} ${labels[k]}` : k }),
      h("td", { text: `${t[k].right} / ${t[k].total}` }), h("td", { text: pct(t[k]) })));
  }
  return table;
}

function progressView(progress, labels, onReset) {
  const box = h("section", { class: "cpq cpx-progress", "aria-label": "Your progress in this browser" },
    h("h3", { class: "cpq-title", text: "Your progress in this browser" }));
  if (!store.ok) box.append(h("p", { class: "cpq-bad", text: "This browser does not let the page store anything, so progress is not kept between visits." }));
  const rounds = progress.rounds;
  if (!rounds.length) {
    box.append(h("p", { class: "cpx-none", text: "No round finished yet. Your results will be kept here, in this browser only." }));
    return box;
  }
  const last = rounds[rounds.length - 1];
  const answered = Object.keys(progress.questions).length;
  box.append(h("p", { class: "cpx-summary", text:
    `${rounds.length} round${rounds.length > 1 ? "s" : ""} finished; last: ${last.score} / ${last.total} ` +
    `(${pct({ right: last.score, total: last.total })}) on ${new Date(last.finished).toLocaleString()}. ` +
    `${answered} different question${answered === 1 ? "" : "s"} answered so far.` }));
  const focus = weakest(progress);
  if (focus.length) {
    box.append(h("p", { class: "cpx-focus", text: `Weakest topics: ${focus.map((t) => `${t} ${labels.topics[t] || ""}`.trim()).join("; ")}.` }));
  }
  box.append(h("div", { class: "cpx-tables" },
    scoreTable("Domain (all rounds)", totals(progress, "domains"), labels.domains),
    scoreTable("Topic (all rounds)", totals(progress, "topics"), labels.topics)));
  box.append(h("button", { type: "button", class: "cpq-btn cpx-reset", text: "Erase my progress", onclick: () => {
    if (window.confirm("Erase every result of the practice exam kept in this browser?")) { store.clear(); onReset(); }
  } }));
  return box;
}

function setupView(bank, progress, labels, params, onStart) {
  const focus = weakest(progress);
  const wanted = Number(params.get("questions"));
  const first = wanted > 0 ? Math.min(Math.floor(wanted), bank.length) : Math.min(20, bank.length);
  const sizes = [...new Set([...SIZES.filter((n) => n < bank.length), first, bank.length])].sort((a, b) => a - b);
  const size = h("select", { id: "cpx-size" }, ...sizes.map((n) =>
    h("option", { value: String(n), text: n === bank.length ? `all ${n} questions` : `${n} questions` })));
  size.value = String(first);
  const seconds = Number(params.get("seconds")) || 0;
  const timed = h("input", { type: "checkbox", id: "cpx-timed", checked: "" });
  const weakFirst = h("input", { type: "checkbox", id: "cpx-weak" });
  if (focus.length) weakFirst.checked = true; else weakFirst.disabled = true;
  const timing = h("span", { class: "cpx-timing" });
  const showTiming = () => {
    const n = Number(size.value);
    timing.textContent = !timed.checked ? "untimed"
      : seconds ? `${seconds} seconds in all (set by the page address)`
      : `${minutesFor(n)} minutes, the exam's pace (180 minutes for 75 questions)`;
  };
  size.addEventListener("change", showTiming);
  timed.addEventListener("change", showTiming);
  showTiming();
  const start = h("button", { type: "button", class: "cpq-btn cpq-primary", text: "Start the exam", onclick: () => {
    const n = Number(size.value);
    onStart({ count: n, minutes: !timed.checked ? 0 : seconds ? seconds / 60 : minutesFor(n), weakest: weakFirst.checked ? focus : [] });
  } });
  return h("section", { class: "cpq cpx-setup", "aria-label": "A new round" },
    h("h3", { class: "cpq-title", text: "A new round" }),
    h("p", { text: `The bank holds ${bank.length} questions on ${Object.keys(labels.topics).length} topics and the six DOP-C02 domains.` }),
    h("div", { class: "cpx-field" }, h("label", { for: "cpx-size", text: "Questions" }), size),
    h("div", { class: "cpx-field" }, timed, h("label", { for: "cpx-timed" }, "Timed: ", timing)),
    h("div", { class: "cpx-field" }, weakFirst, h("label", { for: "cpx-weak",
      text: focus.length ? `Weakest topics first (${focus.join(", ")}), with more of their questions` : "Weakest topics first (after your first round)" })),
    h("div", { class: "cpq-actions" }, start));
}

// A stand-in for the anywidget model: quiz.js reads its traits and saves "result" at the end.
function model(traits, onSave) {
  return {
    get: (k) => traits[k],
    set: (k, v) => { traits[k] = v; },
    save_changes: () => onSave(traits),
  };
}

function main(root, data) {
  const params = new URLSearchParams(location.search);
  const bank = data.questions;
  const labels = data.labels;
  let stop = null;

  function home() {
    if (stop) stop();
    stop = null;
    const progress = store.load();
    root.replaceChildren(setupView(bank, progress, labels, params, play), progressView(progress, labels, home));
  }

  function play(round) {
    const progress = store.load();
    const questions = draw(bank, round.count, round.weakest, progress, rng(Date.now()));
    const minutes = round.minutes;
    const title = `Practice exam: ${questions.length} questions, ${minutes ? minutes < 1 ? `${Math.round(minutes * 60)} seconds` : `${minutes} minutes` : "untimed"}`;
    const host = h("div", { class: "cpx-round" });
    const after = h("div", { class: "cpq cpx-after", "aria-live": "polite" });
    root.replaceChildren(host, after);
    let saved = false;
    const traits = { mode: "exam", title, questions, minutes, labels, answers: {}, result: {} };
    stop = quiz.render({ model: model(traits, (t) => {
      if (saved || !t.result || !("score" in t.result)) return;
      saved = true;
      const latest = store.load();
      record(latest, t.result, round);
      const kept = store.save(latest);
      after.replaceChildren(
        h("p", { class: "cpx-kept", text: kept ? "Result kept in this browser." : "This browser did not let the page keep the result." }),
        h("div", { class: "cpq-actions" }, h("button", { type: "button", class: "cpq-btn cpq-primary", text: "Another round", onclick: home })));
    }), el: host });
    host.scrollIntoView({ block: "start" });
  }

  home();
}

async function boot() {
  const root = document.getElementById("cpx-practice-exam");
  if (!root) return;
  document.head.append(h("link", { rel: "stylesheet", href: here("quiz.css") }),
    h("link", { rel: "stylesheet", href: here("practice-exam.css") }));
  try {
    const answer = await fetch(here("bank.json"));
    if (!answer.ok) throw new Error(`bank.json: HTTP ${answer.status}`);
    main(root, await answer.json());
  } catch (error) {
    root.replaceChildren(h("p", { class: "cpq-bad", text: `The question bank did not load (${error.message}). Reload the page to try again.` }));
  }
}

boot();
