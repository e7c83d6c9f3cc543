/* The supervisors' wallboard: figures refreshed (debounced) on every live event, wait times
   ticking every second, agents' presence live, reassignment in two clicks, full screen. */
(function () {
  "use strict";
  const D = window.Desk;
  const store = new D.Store();
  let board = null, timer = null;
  // One screen: each list shows its first entries; ?show=<list> shows that one list in full.
  const shown = new URLSearchParams(location.search).get("show");
  const TOP = {breached: 5, "at-risk": 5, waiting: 5, agents: 6, all: 5};
  if (shown && TOP[shown]) {
    document.body.classList.add("wall-one");
    document.querySelectorAll("#wall > section").forEach((el) => { el.hidden = el.dataset.list !== shown; });
    document.getElementById("back").hidden = false;
  }
  const limit = (list) => (shown === list ? Infinity : TOP[list]);

  /* The list's count in its heading, and "all N" linking to the rest when some are not shown. */
  function counted(list, total, drawn) {
    document.getElementById(`${list}-count`).textContent = total;
    const more = document.querySelector(`section[data-list="${list}"] a.more`);
    more.hidden = shown === list || total <= drawn;
    if (!more.getAttribute("href")) more.setAttribute("href", `?show=${list}`);
    more.textContent = D.word("show_all").replace("%(count)s", total);
  }

  function dl(id, entries, kind) {
    document.getElementById(id).innerHTML = entries.map(([k, v]) =>
      `<div><dt>${D.esc(kind ? D.label(kind, k) : k)}</dt><dd>${D.esc(v)}</dd></div>`).join("");
  }

  function agentOptions() {
    /* nobody chosen first: a 改派 pressed before a pick (or after a live redraw reset the
       select) once sent the ticket to whoever came first in the list */
    return `<option value="">${D.esc(D.word("to_agent"))}…</option>` +
      (board ? board.targets.agents : []).map((a) =>
      `<option value="${a.id}" data-org="${a.organisation_id || ""}">${D.esc(a.name)}</option>`).join("");
  }

  /* One line a ticket, readable from across the room: number, subject, who holds it, SLA. */
  function wallRow(s, extra) {
    const organisation = s.organisation ? s.organisation.name : "";
    const person = s.assignee ? s.assignee.name : "";
    const whole = [organisation, person].filter(Boolean).join(" · ");
    /* a long organisation name gives way, the person holding the ticket stays whole (the
       ellipsis once hid 李娜 behind 杭州市中小商贸流通企业服务中心…); the title has it all */
    const holder = (organisation ? `<span class="org">${D.esc(organisation)}</span>` : "") +
      (person ? `<span class="person">${D.esc(organisation ? " · " + person : person)}</span>` : "");
    return `<tr data-id="${s.id}" data-number="${D.esc(s.number)}" data-version="${s.version}" class="prio-${D.esc(s.priority)}">` +
      `<td class="number">${D.esc(s.number)}</td><td class="subject">${D.esc(s.subject)}</td>` +
      `<td class="holder" title="${D.esc(whole)}"><div class="holder-line">${holder}</div></td><td class="state">${D.esc(D.label("status", s.status))} ${D.slaBadge(s)}</td>${extra}</tr>`;
  }

  function ticketRows(id, rows, total) {
    const extra = `<td class="act"><select aria-label="${D.esc(D.word("to_agent"))}" class="to-agent">${agentOptions()}</select>` +
      `<button type="button" class="button small reassign">${D.esc(D.word("reassign"))}</button></td>`;
    const drawn = rows.slice(0, limit(id));
    document.querySelector(`#${id} tbody`).innerHTML = drawn.length ? drawn.map((s) => wallRow(s, extra)).join("")
      : `<tr><td class="muted">${D.esc(D.word("no_tickets"))}</td></tr>`;
    counted(id, total == null ? rows.length : total, drawn.length);
  }

  function renderTickets() {
    const open = Array.from(store.tickets.values()).filter((s) => s.is_open).sort((a, b) => b.id - a.id);
    const total = board ? Object.values(board.counts.channel).reduce((a, b) => a + b, 0) : open.length;
    ticketRows("all", open, Math.max(total, open.length));
  }

  function renderAgents() {
    // The ones at work first: available, busy, after-call, then away and offline.
    const order = {available: 0, busy: 1, after_call: 2, away: 3, offline: 4};
    const agents = board.agents.slice().sort((a, b) => (order[a.state] ?? 5) - (order[b.state] ?? 5));
    const drawn = agents.slice(0, limit("agents"));
    counted("agents", agents.length, drawn.length);
    document.querySelector("#agents tbody").innerHTML = drawn.map((a) =>
      `<tr data-user="${a.id}" class="presence-${D.esc(a.state)}"><td>${D.esc(a.name)}</td><td>${D.esc(a.extension || "")}</td>` +
      `<td class="state">${D.esc(D.presenceText(a))}</td><td class="since" data-since="${D.esc(a.since || "")}">${D.esc(D.ago(a.since))}</td></tr>`).join("");
  }

  function renderBoard() {
    const t = board.today;
    dl("today", [[D.word("new_ticket"), t.received],
      [D.word("answered_calls"), `${t.answered}/${t.calls}`],
      [D.word("abandon_rate"), Math.round(t.abandoned_rate * 1000) / 10 + "%"],
      [D.word("average_wait"), t.average_wait_seconds == null ? "–" : D.duration(t.average_wait_seconds)],
      [D.word("average_first_response"), t.first_response_seconds == null ? "–" : D.duration(t.first_response_seconds)]]);
    dl("by-channel", Object.entries(board.counts.channel), "channel");
    dl("by-platform", Object.entries(board.counts.platform), "category");
    dl("by-district", Object.entries(board.counts.district), "district");
    // A waiting chat or queued call is sent to an agent in two clicks: pick, then reassign.
    const toAgent = (w) => (w.kind === "call" && !w.handable) ? "" :
      ` <select aria-label="${D.esc(D.word("to_agent"))}" class="to-agent">${agentOptions()}</select>` +
      `<button type="button" class="button small reassign-chat" data-kind="${D.esc(w.kind)}" data-chat="${D.esc(w.id)}">${D.esc(D.word("reassign"))}</button>`;
    const waiting = board.waiting.slice(0, limit("waiting"));
    counted("waiting", board.waiting.length, waiting.length);
    document.getElementById("waiting").innerHTML = waiting.length ? waiting.map((w) =>
      `<li data-since="${D.esc(w.since)}" data-kind="${D.esc(w.kind)}" data-id="${D.esc(w.id)}"><span class="place">${D.esc(D.word("place").replace("%(n)s", w.position))}</span> <span class="kind">${D.esc(D.label("channel", w.kind === "call" ? "phone" : "chat"))}</span> ${D.esc(w.who || "")} <span class="since">${D.esc(D.ago(w.since))}</span>${toAgent(w)}</li>`).join("")
      : `<li class="muted empty">${D.esc(D.word("nobody_waiting"))}</li>`;
    renderAgents();
    ticketRows("breached", board.sla.breached, board.sla.breached_count);
    ticketRows("at-risk", board.sla.at_risk, board.sla.at_risk_count);
    renderTickets();
  }

  async function refresh() {
    board = await D.api("GET", "/wallboard");
    renderBoard();
  }
  function soon() { clearTimeout(timer); timer = setTimeout(refresh, 1000); }

  async function load() {
    await refresh();
    const data = await D.api("GET", "/desk/tickets?view=all");
    data.items.forEach((s) => store.apply(s));
    store.cursor = data.cursor;
    renderTickets();
  }

  D.connect(store, {
    load,
    ticket: (s, fresh) => { if (fresh) { renderTickets(); soon(); } },
    gone: () => renderTickets(),
    events: {
      presence: (p) => {
        if (!board) return;
        const agent = board.agents.find((a) => a.id === p.user_id);
        if (agent) { agent.state = p.state; agent.since = p.since; agent.reason = p.reason; renderAgents(); }
      },
      "phone.call": soon,
      "phone.queue": soon,  // a call queued, taken or handed: the one waiting line changes
    },
  });
  window.deskStore = store;

  /* A queued call waits for the named agent alone (the phone channel's route, as the console's accept). */
  async function handCall(callId, agentId) {
    const csrf = document.querySelector("meta[name=csrf-token]").content;
    const r = await fetch(`/phone/calls/${encodeURIComponent(callId)}/hand`, {method: "POST", credentials: "same-origin",
      headers: {"Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({agent_id: agentId})});
    if (!r.ok) { const data = await r.json().catch(() => ({})); throw new Error(data.message || String(r.status)); }
  }

  document.addEventListener("click", async (e) => {
    const button = e.target.closest("button.reassign-chat");
    if (!button) return;
    const select = button.closest("li").querySelector("select.to-agent");
    const option = select.selectedOptions[0];
    if (!option || !option.value) { select.focus(); return; }
    try {
      if (button.dataset.kind === "call") {
        await handCall(button.dataset.chat, Number(option.value));
      } else {
        await D.api("POST", `/wallboard/chats/${encodeURIComponent(button.dataset.chat)}/reassign`,
          {agent_id: Number(option.value), note: D.word("reassign")});
      }
      button.closest("li").classList.add("done");
      soon();
    } catch (err) { window.alert(D.word("failed") + " " + err.message); }
  });
  document.addEventListener("click", async (e) => {
    const button = e.target.closest("button.reassign");
    if (!button) return;
    const tr = button.closest("tr");
    const select = tr.querySelector("select.to-agent");
    const option = select.selectedOptions[0];
    if (!option || !option.value) { select.focus(); return; }
    try {
      await D.api("POST", `/tickets/${encodeURIComponent(tr.dataset.number)}/transfer`, {
        organisation_id: Number(option.dataset.org), assignee_id: Number(option.value),
        reason: D.word("reassign")});
      tr.classList.add("done");
    } catch (err) { window.alert(D.word("failed") + " " + err.message); }
  });
  document.getElementById("fullscreen").onclick = () => {
    document.body.classList.toggle("fullscreen");
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  };
  if (new URLSearchParams(location.search).get("full")) document.body.classList.add("fullscreen");
  setInterval(() => document.querySelectorAll("[data-since]").forEach((el) => {
    const target = el.classList.contains("since") ? el : el.querySelector(".since");
    if (target) target.textContent = D.ago(el.dataset.since);
  }), 1000);
})();
