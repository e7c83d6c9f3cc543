/* The agent console (/console) and the provider desk (/provider): live lists, ticket actions
   inline, screen pops, alerts, presence, keyboard shortcuts. Chat panels: chat/agent.js. */
(function () {
  "use strict";
  const D = window.Desk, boot = D.boot, me = boot.user;
  const provider = me.role === "provider";
  const store = new D.Store();
  const lists = provider ? {org: (s) => s.organisation && s.organisation.id === boot.organisation_id}
    : {mine: (s) => s.assignee && s.assignee.id === me.id,
       queue: (s) => s.organisation && s.organisation.id === boot.organisation_id && !s.assignee};
  let selected = null, socket = null, watching = null;
  const revealed = new Map();  // number -> full phone, once deliberately revealed

  /* The provider's next deadline: accept-by until accepted, then resolve-by (ISO, or "~"). */
  function nextDeadline(s) {
    const sla = s.sla || {};
    return sla.accept_by || sla.resolve_by || "~";
  }
  /* Compared by code point: "~" after every ISO time. localeCompare put it first, so tickets
     with no deadline (waiting on the enterprise) sat above the overdue ones. */
  function byDeadline(a, b) {
    const x = nextDeadline(a), y = nextDeadline(b);
    return x < y ? -1 : x > y ? 1 : a.id - b.id;
  }

  /* "12-04 14:00 · 还剩 2工时30分" — business time left on the ticket's own calendar. */
  function deadline(iso, left) {
    if (!iso) return "—";
    const over = left != null && left < 0;
    const m = Math.abs(left || 0), h = Math.floor(m / 60), rest = m % 60;
    const span = (h ? h + D.word("work_hours") : "") + (rest || !h ? rest + D.word("minutes") : "");
    const words = left == null ? "" : D.word(over ? "overdue_by" : "left").replace("%(time)s", span);
    return `${D.esc(D.localTime(iso))}<br><span class="${over ? "late" : "muted"}">${D.esc(words)}</span>`;
  }

  function deadlines(s) {
    const sla = s.sla || {};
    // data-label: on a phone the list is cards without its heading row, so each deadline says
    // which it is (app.css)
    return `<td class="deadline" data-label="${D.esc(D.word("accept_by"))}">${deadline(sla.accept_by, sla.accept_left)}</td>` +
      `<td class="deadline" data-label="${D.esc(D.word("resolve_by"))}">${deadline(sla.resolve_by, sla.resolve_left)}</td>`;
  }

  function render() {
    for (const [name, belongs] of Object.entries(lists)) {
      // The provider desk works to its deadlines: the nearest first.
      const rows = Array.from(store.tickets.values()).filter((s) => s.is_open && belongs(s))
        .sort(provider ? byDeadline : (a, b) => b.id - a.id);
      const body = document.querySelector(`#${name} tbody`);
      const head = provider && rows.length ? `<tr class="head"><th>${D.esc(D.word("number"))}</th><th>${D.esc(D.word("subject"))}</th>` +
        `<th>${D.esc(D.word("status"))}</th><th>${D.esc(D.word("channel"))}</th><th>${D.esc(D.word("assignee"))}</th>` +
        `<th class="deadline">${D.esc(D.word("accept_by"))}</th><th class="deadline">${D.esc(D.word("resolve_by"))}</th></tr>` : "";
      body.innerHTML = rows.length ? head + rows.map((s) => D.row(s, provider ? deadlines(s) : "", true)).join("")
        : `<tr><td class="muted">${D.esc(D.word("no_tickets"))}</td></tr>`;
      document.getElementById(name + "-count").textContent = rows.length;
    }
    document.querySelectorAll("table.live tr[data-id]").forEach((tr) => {
      tr.classList.toggle("selected", Number(tr.dataset.id) === selected);
      tr.onclick = () => open(Number(tr.dataset.id)).then(showDetailPane);
    });
  }

  async function load() {
    const views = provider ? ["org"] : ["mine", "queue"];
    for (const view of views) {
      const data = await D.api("GET", "/desk/tickets?view=" + view);
      data.items.forEach((s) => store.apply(s));
      store.cursor = data.cursor;
    }
    render();
  }

  function relevant(s) { return Object.values(lists).some((belongs) => belongs(s)); }

  function onTicket(s, fresh) {
    if (!fresh) return;
    if (!relevant(s) && s.id !== selected) store.remove(s.id);
    if (s.kind === "created" || s.kind === "assigned" || s.kind === "transferred") {
      if (relevant(s)) D.alert(`${D.esc(D.word("new_ticket"))}: <a href="#" data-open="${s.id}">${D.esc(s.number)}</a> ${D.esc(s.subject)}`, "new");
    } else if (String(s.kind).startsWith("sla_")) {
      D.alert(`${D.esc(D.word("escalated"))}: ${D.esc(s.number)} ${D.esc(s.subject)}`, "escalated");
    }
    render();
    if (s.id === selected) showDetail(s.id);
  }

  function onGone(g) {
    if (g.id === selected) {
      selected = null;
      document.getElementById("detail").innerHTML = `<p class="muted">${D.esc(D.word("gone"))}</p>`;
    }
    render();
  }

  function watch(id) {
    if (watching && socket) socket.emit("leave", {room: "ticket:" + watching});
    watching = id;
    if (id && socket) socket.emit("join", {room: "ticket:" + id});
  }

  async function open(id) {
    selected = id; watch(id); render(); await showDetail(id);
  }

  // On a phone the detail pane sits under a list of dozens of rows: a tapped row seemed to do
  // nothing. Bring the pane into view when it is off screen (also after scrolling a long list).
  function showDetailPane() {
    const box = document.getElementById("detail");
    const r = box.getBoundingClientRect();
    if (r.top >= window.innerHeight || r.bottom <= 0) box.scrollIntoView({block: "start"});
  }

  function form(action, field, placeholder) {
    return `<form class="act" data-act="${action}" data-required="${D.esc(D.word("required"))}" novalidate><textarea name="${field}" rows="2" placeholder="${D.esc(placeholder)}" required></textarea>` +
      `<button type="submit" class="button">${D.esc(D.word(action === "comment" ? "send" : action))}</button></form>`;
  }

  async function showDetail(id) {
    const s = store.tickets.get(id);
    if (!s) return;
    const t = await D.api("GET", "/tickets/" + encodeURIComponent(s.number));
    const can = new Set(t.allowed_actions);
    const phone = revealed.get(t.number) || (t.contact ? t.contact.phone_display || t.contact.phone || "" : "");
    const masked = phone.includes("*");
    let html = `<h2><a href="/tickets/${D.esc(t.number)}">${D.esc(t.number)}</a> ${D.esc(t.subject)}</h2>` +
      `<p>${D.esc(D.label("status", t.status))} · ${D.esc(D.label("priority", t.priority))} · ${D.esc(D.label("channel", t.channel))} ${D.slaBadge(s)}</p>` +
      `<p>${D.esc(t.enterprise ? t.enterprise.name : "")}</p>` +
      `<p>${D.esc(D.word("contact_label"))}${D.esc(t.contact ? t.contact.name : "")} <span class="phone">${D.esc(phone)}</span>` +
      (masked ? ` <button type="button" class="link" data-reveal>${D.esc(D.word("reveal"))}</button>` : "") + `</p>` +
      `<p class="desc">${D.esc(t.description)}</p><div class="actions">`;
    for (const a of ["accept", "close"]) if (can.has(a)) html += `<button type="button" class="button" data-simple="${a}">${D.esc(D.word(a))}</button>`;
    html += `</div>`;
    if (can.has("comment")) html += form("comment", "body", D.word("reply"));
    if (can.has("comment") && !provider) html += form("note", "body", D.word("note"));
    if (can.has("decline")) html += form("decline", "reason", D.word("reason"));
    if (can.has("pend")) html += form("pend", "reason", D.word("reason"));
    if (can.has("resolve")) html += form("resolve", "summary", D.word("summary"));
    if (can.has("transfer")) {
      const orgs = await D.api("GET", "/organisations");
      html += `<form class="act" data-act="transfer" data-required="${D.esc(D.word("required"))}" novalidate><select name="organisation_id" aria-label="${D.esc(D.word("to_org"))}">` +
        orgs.items.filter((o) => o.status === "active").map((o) => `<option value="${o.id}">${D.esc(o.name)}</option>`).join("") +
        `</select><input name="reason" placeholder="${D.esc(D.word("reason"))}" required><button type="submit" class="button">${D.esc(D.word("transfer"))}</button></form>`;
    }
    html += `<p class="result" role="status"></p>`;
    const box = document.getElementById("detail");
    box.innerHTML = html;
    box.querySelectorAll("[data-simple]").forEach((b) => b.onclick = () => act(t.number, b.dataset.simple, {}));
    box.querySelectorAll("form.act").forEach((f) => f.onsubmit = (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(f).entries());
      if (data.organisation_id) data.organisation_id = Number(data.organisation_id);
      act(t.number, f.dataset.act, data);
    });
    const reveal = box.querySelector("[data-reveal]");
    if (reveal) reveal.onclick = async () => {
      const r = await D.api("POST", `/tickets/${encodeURIComponent(t.number)}/reveal-phone`, {});
      revealed.set(t.number, r.phone_display || r.phone || "");
      box.querySelector(".phone").textContent = r.phone_display || r.phone || "";
      reveal.remove();
      box.querySelector(".result").textContent = D.word("revealed");
    };
  }

  async function act(number, action, body) {
    const result = document.querySelector("#detail .result");
    try {
      if (action === "comment" || action === "note") {
        await D.api("POST", `/tickets/${encodeURIComponent(number)}/comments`, {body: body.body, internal: action === "note"});
      } else {
        await D.api("POST", `/tickets/${encodeURIComponent(number)}/${action}`, body);
      }
      if (result) result.textContent = D.word("done");
    } catch (err) {
      if (result) result.textContent = D.word("failed") + " " + err.message;
    }
  }

  function screenPop(pop, again) {
    const box = document.getElementById("pop");
    if (!box) return;
    const caller = pop.caller || {};
    const ent = caller.enterprise, contact = caller.contact;
    const number = caller.number_display || caller.number || D.word("unknown_caller");
    const where = [caller.city, caller.carrier].filter(Boolean).join(" · ");
    const open = (caller.open_tickets || []).map((t) =>
      `<li><a href="/tickets/${D.esc(t.number)}">${D.esc(t.number)}</a> ${D.esc(t.subject || "")} <span class="muted">${D.esc(D.label("status", t.status))}</span></li>`).join("");
    const sent = pop.transfer;
    box.hidden = false;
    box.innerHTML = `<h2>${D.esc(D.word(sent ? "transferred_call" : "incoming_call"))}: <span class="pop-number">${D.esc(number)}</span></h2>` +
      (where ? `<p class="pop-where">${D.esc(where)}</p>` : "") +
      `<p class="pop-enterprise">${D.esc(ent ? ent.name : D.word("unknown_enterprise"))}` +
      (contact ? ` · ${D.esc(D.word("contact_label"))}<span class="pop-contact">${D.esc(contact.name)}</span>` : "") + `</p>` +
      (sent ? `<p class="pop-transfer">${D.esc(D.word("sent_by"))} ${D.esc(sent.by_name || "")}: ${D.esc(sent.reason || "")}` +
        (sent.ticket ? ` · <a href="/tickets/${D.esc(sent.ticket)}">${D.esc(sent.ticket)}</a>` : "") + `</p>` : "") +
      (pop.ticket ? `<p>${D.esc(D.word("call_ticket"))}: <a href="/tickets/${D.esc(pop.ticket)}">${D.esc(pop.ticket)}</a></p>` : "") +
      `<h3>${D.esc(D.word("open_tickets"))}</h3>` +
      (open ? `<ul class="pop-open">${open}</ul>` : `<p class="muted">${D.esc(D.word("no_open_tickets"))}</p>`) +
      `<p class="pop-actions"><a class="button primary" id="pop-new-ticket" href="/tickets/new?call=${encodeURIComponent(pop.call_id)}">${D.esc(D.word("new_ticket"))}</a> ` +
      `<a href="/phone/calls/${encodeURIComponent(pop.call_id)}">${D.esc(D.word("call_page"))}</a></p>`;
    if (!again) D.alert(`${D.esc(D.word("incoming_call"))}: ${D.esc(number)}`, "call");
  }
  // The call I am on, when this page opens during it (the pop came to the page I left).
  if (boot.pop) screenPop(boot.pop, true);

  /* Waiting phone calls: offered while I am available; the first to answer gets the call. */
  let offers = [], myState = null;
  function renderOffers() {
    const list = document.getElementById("calls-waiting");
    if (!list) return;
    const shown = myState === "available" ? offers.filter((c) => !c.offered_to || c.offered_to === me.id) : [];
    document.getElementById("calls-count").textContent = shown.length;
    list.innerHTML = shown.length ? shown.map((c) =>
      `<li class="queued call-offer" data-call="${D.esc(c.call_id)}"><strong class="offer-number">${D.esc(c.number_display || D.word("unknown_caller"))}</strong> ` +
      `<span class="small muted">${D.esc(D.word("place").replace("%(n)s", c.position))} · ${D.esc(c.city || "")}` +
      ` · ${D.esc(D.word("waited"))} <span class="offer-wait" data-since="${D.esc(c.since)}"></span>` +
      (c.offered_to === me.id ? ` · ${D.esc(D.word("handed_to_you"))}` : "") + `</span>` +
      `<div class="offer-enterprise">${D.esc(c.enterprise || D.word("unknown_enterprise"))}</div>` +
      `<button type="button" class="button primary take-call">${D.esc(D.word("take_call"))}</button></li>`).join("")
      : `<li class="muted">${D.esc(D.word("no_calls_waiting"))}</li>`;
    list.querySelectorAll("[data-call]").forEach((li) => li.querySelector(".take-call").onclick = () => takeCall(li.dataset.call));
    tickWaits();
  }
  function tickWaits() {
    document.querySelectorAll(".offer-wait").forEach((el) => {
      const s = Math.max(0, Math.round((Date.now() - Date.parse(el.dataset.since)) / 1000));
      el.textContent = s < 60 ? `${s}${D.word("seconds")}` : `${Math.floor(s / 60)}${D.word("minutes")}${s % 60}${D.word("seconds")}`;
    });
  }
  setInterval(tickWaits, 1000);
  async function loadOffers() {
    // the provider desk shares this script but has no phone queue (its staff may not read it: 403)
    if (!document.getElementById("calls-waiting")) return;
    const r = await fetch("/phone/queue", {credentials: "same-origin", headers: {"Accept": "application/json"}});
    if (r.ok) { offers = (await r.json()).calls; renderOffers(); }
  }
  async function takeCall(callId) {
    const csrf = document.querySelector("meta[name=csrf-token]").content;
    const r = await fetch(`/phone/calls/${encodeURIComponent(callId)}/accept`, {method: "POST", credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": csrf}});
    const data = await r.json().catch(() => ({}));
    document.getElementById("calls-result").textContent = r.ok ? "" : (data.message || String(r.status));
    offers = offers.filter((c) => c.call_id !== callId);
    renderOffers();
  }

  function showPresence(p) {
    if (p.user_id !== me.id) return;
    const was = myState;
    myState = p.state;
    if (p.state === "available" && was !== "available") loadOffers(); else renderOffers();
    document.querySelectorAll("[data-presence]").forEach((b) => b.classList.toggle("on", b.dataset.presence === p.state));
    const since = document.getElementById("presence-since");
    if (since) since.textContent = `${D.presenceText(p)} · ${D.word("since")} ${D.localTime(p.since)}`;
    const done = document.getElementById("wrap-up-done");  // 完成整理: only during a call's wrap-up
    if (done) done.hidden = !(p.state === "after_call" && p.reason === "call_ended");
  }

  socket = D.connect(store, {
    load, ticket: onTicket, gone: onGone,
    ready: (info) => { if (info.presence) showPresence({user_id: me.id, ...info.presence}); if (watching) watch(watching); },
    rejoin: (s) => { if (s.id === watching) watch(s.id); },
    events: {
      "presence": showPresence,
      "phone.screen_pop": (pop) => screenPop(pop),
      "phone.queue": (q) => { offers = q.calls || []; renderOffers(); },
      "sla_alert": (a) => D.alert(`${D.esc(D.label("event", a.kind))}: ${D.esc(a.number || "")} ${D.esc(a.subject || "")}`, "escalated"),
    },
  });
  window.deskStore = store;
  /* Chats: the panels under #chats are chat/agent.js's, on the /chat namespace (the same
     agent events as the standalone chat page). */

  document.querySelectorAll("[data-presence]").forEach((b) => b.onclick = () => socket.emit("presence", {state: b.dataset.presence}));
  const finish = document.getElementById("wrap-up-done");
  if (finish) finish.onclick = () => socket.emit("presence", {state: finish.dataset.finish});
  document.addEventListener("click", (e) => {
    const link = e.target.closest("[data-open]");
    if (link) { e.preventDefault(); open(Number(link.dataset.open)); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, textarea, select")) { if (e.key === "Escape") e.target.blur(); return; }
    const rows = Array.from(document.querySelectorAll("table.live tr[data-id]"));
    const at = rows.findIndex((tr) => Number(tr.dataset.id) === selected);
    const focus = (sel) => { const el = document.querySelector(sel); if (el) { e.preventDefault(); el.focus(); } };
    if (e.key === "j" || e.key === "k") {
      const next = rows[Math.min(rows.length - 1, Math.max(0, at + (e.key === "j" ? 1 : -1)))];
      if (next) { selected = Number(next.dataset.id); render(); }
    } else if (e.key === "Enter" && selected) open(selected);
    else if (e.key === "a") { const b = document.querySelector("[data-simple=accept]"); if (b) b.click(); }
    else if (e.key === "r") focus("form[data-act=comment] textarea");
    else if (e.key === "n") focus("form[data-act=note] textarea");
    else if (e.key === "t") focus("form[data-act=transfer] select");
    else if (e.key === "d") focus("form[data-act=decline] textarea");
    else if (e.key === "p") focus("form[data-act=pend] textarea");
    else if (e.key === "s") focus("form[data-act=resolve] textarea");
    else if (e.key === "Escape") { selected = null; watch(null); render(); }
  });
})();
