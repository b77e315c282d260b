// CodePipeline Lab console: the pipeline view, history and details drawn from the synced `view`.
// Buttons send {do: ...} to Python, which makes the real API call; without a kernel nobody answers
// the "hello", so the buttons stay disabled and a note says why. Tabs and details work either way.
function h(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  e.append(...tidy(kids));
  return e;
}
const tidy = (kids) => kids.flat(Infinity).filter((k) => k != null && k !== false);
const KIND = { Succeeded: "ok", Failed: "bad", InProgress: "run", Stopping: "warn", Stopped: "off", Abandoned: "off", Superseded: "off", Cancelled: "off" };
const ICON = { ok: "✓", bad: "✕", run: "◔", warn: "◼", off: "◼", none: "○" };
const kind = (s) => KIND[s] || "none";
const badge = (status, label) => h("span", { class: `cpc-badge cpc-${kind(status)}` }, `${ICON[kind(status)]} ${label || (status === "InProgress" ? "In progress" : status) || "Didn't run"}`);
const short = (id) => (id ? id.slice(0, 8) : "");
const dl = (pairs) => h("dl", { class: "cpc-dl" }, pairs.filter((p) => p[1] !== "" && p[1] != null).map(([k, v]) => [h("dt", { text: k }), h("dd", {}, v)]));
const code = (t) => h("code", { text: t });

export default {
  render({ model, el }) {
    const ui = { tab: "pipeline", run: null, panel: null, live: false, busy: false };
    const root = h("div", { class: "cpc" });
    el.append(root);
    const can = () => ui.live && !ui.busy;
    function btn(text, onclick, { live = true, primary = false, label } = {}) {
      return h("button", { type: "button", class: `cpc-btn${primary ? " cpc-primary" : ""}`, disabled: live && !can(), "aria-label": label, onclick }, text);
    }
    function press(msg) {
      if (!can()) return;
      ui.busy = true; ui.panel = null;
      paint();
      model.send(msg);
    }
    function toggle(key) { ui.panel = ui.panel === key ? null : key; paint(); }

    function field(label, input) { return h("label", { class: "cpc-field" }, h("span", { text: label }), input); }
    function choice(name, options) {
      return h("fieldset", { class: "cpc-choice" }, options.map(([value, text], k) =>
        h("label", {}, h("input", { type: "radio", name, value, checked: k === 0 }), ` ${text}`)));
    }
    const picked = (form, name) => form.querySelector(`input[name="${name}"]:checked`).value;
    function dialog(title, body, submit, cancelKey) {
      const form = h("form", { class: "cpc-dialog", role: "dialog", "aria-label": title },
        h("h4", { text: title }), body,
        h("div", { class: "cpc-row" }, h("button", { type: "submit", class: "cpc-btn cpc-primary", disabled: !can() }, submit.label),
          btn("Cancel", () => toggle(cancelKey), { live: false })));
      form.addEventListener("submit", (ev) => { ev.preventDefault(); const msg = submit.make(form); if (msg) press(msg); });
      return form;
    }

    function reviewDialog(stage, a, details) {
      const d = details[a.detail];
      const custom = d && d.configuration && d.configuration.CustomData;
      const key = `review:${stage.name}/${a.name}`;
      return dialog(`Review: ${stage.name} / ${a.name}`, [
        custom ? h("p", { class: "cpc-muted" }, "Comments from the pipeline: ", custom) : null,
        choice("decision", [["Approved", "Approve"], ["Rejected", "Reject"]]),
        field("Comments", h("textarea", { name: "comment", rows: 2 }))],
      { label: "Submit", make: (f) => ({ do: "review", stage: stage.name, action: a.name, decision: picked(f, "decision"), comment: f.comment.value }) }, key);
    }
    function retryDialog(stage) {
      return dialog(`Retry stage ${stage.name}`, choice("mode", [["FAILED_ACTIONS", "Retry failed actions"], ["ALL_ACTIONS", "Retry all actions in the stage"]]),
        { label: "Retry", make: (f) => ({ do: "retry", stage: stage.name, execution: stage.execution, mode: picked(f, "mode") }) }, `retry:${stage.name}`);
    }
    function transitionDialog(stage) {
      return dialog(`Disable the transition into ${stage.name}`, field("Reason (required)", h("input", { name: "reason", required: true, maxlength: 300 })),
        { label: "Disable", make: (f) => f.reason.value.trim() && { do: "transition", stage: stage.name, enable: false, reason: f.reason.value.trim() } }, `transition:${stage.name}`);
    }
    function stopDialog(running) {
      return dialog("Stop execution", [
        field("Execution", h("select", { name: "execution" }, running.map((e) => h("option", { value: e.id }, `${e.id} (${e.status})`)))),
        choice("how", [["wait", "Stop and wait: let running actions finish"], ["abandon", "Stop and abandon: abandon running actions"]]),
        field("Reason (optional)", h("textarea", { name: "reason", rows: 2 }))],
      { label: "Stop", make: (f) => ({ do: "stop", execution: f.execution.value, abandon: picked(f, "how") === "abandon", reason: f.reason.value.trim() }) }, "stop");
    }
    function releaseDialog(view) {
      return dialog("Release change", h("p", { text: `Start a new execution of ${view.pipeline} with the latest revision of each source action.` }),
        { label: "Release", make: () => ({ do: "release" }) }, "release");
    }

    function detailsPanel(d, key) {
      const table = (obj) => h("table", { class: "cpc-table" }, Object.entries(obj).map(([k, v]) => h("tr", {}, h("th", { text: k }), h("td", {}, code(String(v))))));
      const artifacts = (list) => (list.length ? h("ul", {}, list.map((x) => h("li", {}, `${x.name}: `, code(x.location)))) : "none");
      const log = d.log && (d.log.error ? h("p", { class: "cpc-err" }, `Log not readable: ${d.log.error.code}: ${d.log.error.message}`)
        : h("div", {}, h("p", { class: "cpc-muted" }, "CloudWatch Logs ", code(`${d.log.group} ${d.log.stream}`), ", last lines:"), h("pre", { class: "cpc-log", text: d.log.lines.join("\n") || "(empty)" })));
      return h("section", { class: "cpc-dialog cpc-details", "aria-label": `Details of ${d.action}` },
        h("div", { class: "cpc-row" }, h("h4", { text: `Action details: ${d.stage} / ${d.action}` }), btn("Close", () => toggle(key), { live: false })),
        d.error ? h("div", { class: "cpc-banner", role: "note" }, h("strong", { text: d.error.code }), ` ${d.error.message}`) : null,
        dl([["Status", badge(d.status)], ["Provider", d.provider], ["Execution", code(d.execution)], ["Started", d.started], ["Last updated", d.updated],
          ["Role", d.role], ["Namespace", d.namespace], ["Summary", d.summary], ["External id", d.external]]),
        h("h5", { text: "Configuration (resolved)" }), Object.keys(d.configuration).length ? table(d.configuration) : "none",
        h("h5", { text: "Input artifacts" }), artifacts(d.inputs), h("h5", { text: "Output artifacts" }), artifacts(d.outputs),
        h("h5", { text: "Output variables" }), Object.keys(d.variables).length ? table(d.variables) : "none",
        log ? h("h5", { text: "Build log" }) : null, log);
    }

    function actionCard(stage, a, details) {
      const det = `details:${a.detail}`, rev = `review:${stage.name}/${a.name}`;
      const card = h("div", { class: `cpc-card cpc-edge-${kind(a.status)}`, "data-action": a.name },
        h("div", { class: "cpc-name", text: a.name }),
        h("div", { class: "cpc-muted", text: a.provider }),
        h("div", {}, badge(a.status, a.label)),
        a.at ? h("div", { class: "cpc-muted", title: `${a.at} UTC (virtual clock)`, text: a.ago }) : null,
        a.error ? h("div", { class: "cpc-err" }, h("strong", { text: a.error.code }), `: ${a.error.message}`) : a.summary ? h("div", { class: "cpc-summary", text: a.summary }) : null,
        h("div", { class: "cpc-row" }, a.review ? btn("Review", () => toggle(rev), { primary: true }) : null,
          details[a.detail] ? btn("View details", () => toggle(det), { live: false }) : null));
      return [card, ui.panel === rev ? reviewDialog(stage, a, details) : null, ui.panel === det ? detailsPanel(details[a.detail], det) : null];
    }

    function transitionRow(stage) {
      const t = stage.transition, key = `transition:${stage.name}`;
      const text = t.enabled ? "Transition enabled" : `Transition disabled: ${t.reason}${t.by ? ` (by ${t.by}${t.at ? `, ${t.at} UTC` : ""})` : ""}`;
      return [h("div", { class: `cpc-transition${t.enabled ? "" : " cpc-blocked"}` },
        h("span", { class: "cpc-arrow", "aria-hidden": "true", text: t.enabled ? "↓" : "⊘" }), h("span", { text }),
        t.enabled ? btn("Disable transition", () => toggle(key), { label: `Disable transition into ${stage.name}` })
          : btn("Enable transition", () => press({ do: "transition", stage: stage.name, enable: true }), { label: `Enable transition into ${stage.name}` })),
      ui.panel === key ? transitionDialog(stage) : null];
    }

    function pipelineTab(view) {
      return view.stages.map((s) => [s.transition ? transitionRow(s) : null,
        h("section", { class: `cpc-stage cpc-edge-${kind(s.status)}`, "data-stage": s.name },
          h("div", { class: "cpc-row cpc-stagehead" }, h("h4", { text: s.name }), badge(s.status, s.label),
            s.retryable ? btn("Retry", () => toggle(`retry:${s.name}`), { label: `Retry stage ${s.name}` }) : null),
          s.execution ? h("div", { class: "cpc-muted" }, "Execution ID: ", h("a", { href: "#", class: "cpc-link", onclick: (ev) => { ev.preventDefault(); ui.tab = "history"; ui.run = s.execution; paint(); } }, s.execution)) : null,
          ui.panel === `retry:${s.name}` ? retryDialog(s) : null,
          h("div", { class: "cpc-cards" }, s.actions.map((a) => actionCard(s, a, view.details))))]);
    }

    function historyTab(view) {
      const rows = view.executions.map((e) => h("tr", { class: ui.run === e.id ? "cpc-sel" : "" },
        h("td", {}, h("a", { href: "#", class: "cpc-link", onclick: (ev) => { ev.preventDefault(); ui.run = ui.run === e.id ? null : e.id; paint(); } }, short(e.id))),
        h("td", {}, badge(e.status)), h("td", { text: e.source }), h("td", { text: e.trigger }), h("td", { text: e.started }), h("td", { text: e.duration })));
      const table = view.executions.length ? h("table", { class: "cpc-table cpc-history" },
        h("tr", {}, ["Execution ID", "Status", "Source revisions", "Trigger", "Started (UTC)", "Duration"].map((t) => h("th", { text: t }))), rows)
        : h("p", { class: "cpc-muted", text: "No executions yet." });
      const e = view.executions.find((x) => x.id === ui.run);
      return [table, e ? executionDetail(view, e) : null];
    }
    function executionDetail(view, e) {
      const steps = view.timelines[e.id] || [];
      return h("section", { class: "cpc-dialog", "aria-label": `Execution ${e.id}` },
        h("h4", { text: `Execution ${e.id}` }),
        dl([["Status", badge(e.status)], ["Trigger", `${e.trigger} ${e.triggerDetail}`], ["Source", e.source], ["Started", `${e.started} UTC`], ["Duration", e.duration], ["Summary", e.summary]]),
        h("h5", { text: "Timeline" }),
        h("table", { class: "cpc-table" }, h("tr", {}, ["Stage", "Action", "Status", "Started", "Duration", "Message"].map((t) => h("th", { text: t }))),
          steps.map((s) => h("tr", {}, h("td", { text: s.stage }), h("td", {}, view.details[s.detail] ? h("a", { href: "#", class: "cpc-link", onclick: (ev) => { ev.preventDefault(); ui.tab = "pipeline"; ui.panel = `details:${s.detail}`; paint(); } }, s.action) : s.action),
            h("td", {}, badge(s.status)), h("td", { text: s.start }), h("td", { text: s.duration }), h("td", { class: "cpc-summary", text: s.message })))));
    }

    function paint() {
      const view = model.get("view") || {}, last = model.get("last") || {};
      const running = (view.executions || []).filter((e) => e.status === "InProgress" || e.status === "Stopping");
      const tab = (name, text) => h("button", { type: "button", class: "cpc-tab", "aria-pressed": String(ui.tab === name), onclick: () => { ui.tab = name; paint(); } }, text);
      const stopBtn = btn("Stop execution", () => toggle("stop"));
      if (!running.length) stopBtn.disabled = true;
      root.replaceChildren(...tidy([
        h("div", { class: "cpc-row cpc-top" }, h("h3", { text: view.pipeline }),
          h("span", { class: "cpc-muted", text: `version ${view.version ?? "?"} · as ${view.as} · virtual clock ${view.now} UTC` })),
        h("div", { class: "cpc-row" }, btn("Release change", () => toggle("release"), { primary: true }), stopBtn,
          btn("Refresh", () => press({ do: "refresh" })), h("span", { class: "cpc-sep" }),
          btn("Run", () => press({ do: "run" }), { label: "Run: lab.run()" }), btn("Advance 1 h", () => press({ do: "advance", hours: 1 }))),
        ui.live ? null : h("p", { class: "cpc-note", role: "note", text: "Read-only: this is a saved view with no kernel behind it. Run the notebook to operate the pipeline." }),
        ui.busy ? h("p", { class: "cpc-muted", role: "status", text: "Calling…" }) : null,
        last.error ? h("div", { class: "cpc-banner", role: "alert" }, h("strong", { text: last.error.code }), ` ${last.error.message}`) : null,
        last.call ? h("p", { class: "cpc-did" }, last.error ? "What this tried: " : "What this did: ", code(last.call)) : null,
        view.readError ? h("div", { class: "cpc-banner", role: "alert" }, h("strong", { text: view.readError.code }), ` ${view.readError.message}`) : null,
        ui.panel === "release" ? releaseDialog(view) : null,
        ui.panel === "stop" ? stopDialog(running) : null,
        h("div", { class: "cpc-row cpc-tabs" }, tab("pipeline", "Pipeline"), tab("history", "Execution history")),
        ui.tab === "pipeline" ? pipelineTab(view) : historyTab(view)]));
    }

    model.on("change:view", paint);
    model.on("change:last", () => { ui.busy = false; paint(); });
    if (typeof model.send === "function") {
      model.on("msg:custom", (msg) => { if (msg && msg.live) { ui.live = true; paint(); } });
      try { model.send({ do: "hello" }); } catch (e) { /* no kernel: stay read-only */ }
    }
    paint();
    return () => root.remove();
  },
};
