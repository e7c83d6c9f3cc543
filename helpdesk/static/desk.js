/* Shared by the live pages: the /desk socket, versioned ticket store, catch-up, API calls.
   A ticket event older than the version we hold is dropped; after a reconnect the page asks
   /api/v1/desk/changes for what changed since its cursor. */
(function () {
  "use strict";
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const W = boot.words, N = boot.names;

  function word(key) { return W[key] || key; }
  function label(kind, value) { return ((N[kind] || {})[value]) || value || ""; }
  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, (c) => (
      {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  }
  /* "2026-12-05 03:13": the server's local_time filter (helpdesk/web/__init__.py), in the
     platform's zone whatever the browser's language or zone; toLocaleString gave "12/05 03:13". */
  const WALL = new Intl.DateTimeFormat("en-US", {timeZone: "Asia/Shanghai", hourCycle: "h23",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
  function localTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    const p = {};
    for (const part of WALL.formatToParts(d)) p[part.type] = part.value;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }
  /* 45秒, 25分钟, 7小时 or 7.5小时: past two hours a count of minutes (420分钟) is read as hours */
  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 120) return s + word("seconds");
    const m = Math.round(s / 60);
    return m < 120 ? m + word("minutes") : Math.round(m / 6) / 10 + word("hours");
  }
  function ago(iso) {
    if (!iso) return "";
    return duration((Date.now() - new Date(iso).getTime()) / 1000);
  }

  class Store {
    constructor() { this.tickets = new Map(); this.cursor = null; }
    /* true when applied; false when older than what we have (stale, dropped) */
    apply(summary) {
      const have = this.tickets.get(summary.id);
      if (have && summary.version < have.version) return false;
      this.tickets.set(summary.id, summary);
      return true;
    }
    remove(id) { this.tickets.delete(id); }
    known() { return Array.from(this.tickets.keys()); }
  }

  async function api(method, path, body) {
    const response = await fetch(boot.api + path, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": csrf},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (data.error && data.error.message) || String(response.status);
      throw Object.assign(new Error(message), {status: response.status});
    }
    return data;
  }

  /* handlers: load() first time, ticket(s, fresh), gone(g), presence(p), any other event name */
  function connect(store, handlers) {
    const link = document.getElementById("link");
    const socket = io("/desk", {transports: ["websocket"], reconnectionDelayMax: 2000});
    let readyOnce = false;
    const show = (text, cls) => { if (link) { link.textContent = text; link.className = "link-state " + cls; } };
    socket.on("ready", async (info) => {
      show(word("connected"), "up");
      window.deskReady = info;
      if (!readyOnce) { readyOnce = true; await handlers.load(); }
      else { await catchUp(store, handlers); }
      if (handlers.ready) handlers.ready(info);
    });
    socket.on("ticket", (summary) => {
      const fresh = store.apply(summary);
      window.deskLastEvent = summary;
      handlers.ticket(summary, fresh);
      if (summary.rejoin && handlers.rejoin) handlers.rejoin(summary);
    });
    socket.on("ticket.gone", (g) => {
      const have = store.tickets.get(g.id);
      if (have && g.version < have.version) return;
      store.remove(g.id);
      handlers.gone(g);
    });
    socket.on("revoked", () => { show(word("revoked"), "down"); window.deskRevoked = true; });
    socket.on("disconnect", (reason) => {
      show(word("reconnecting"), "down");
      if (reason === "io server disconnect") {
        setTimeout(() => { window.location.href = boot.login + "?next=" +
          encodeURIComponent(window.location.pathname); }, 1500);
      }
    });
    for (const name of Object.keys(handlers.events || {})) socket.on(name, handlers.events[name]);
    return socket;
  }

  async function catchUp(store, handlers) {
    if (!store.cursor) return handlers.load();
    const query = "?since=" + encodeURIComponent(store.cursor) +
      "&known=" + store.known().slice(0, 400).join(",");
    const data = await api("GET", "/desk/changes" + query);
    for (const id of data.gone) { store.remove(id); handlers.gone({id}); }
    for (const summary of data.items) handlers.ticket(summary, store.apply(summary));
    store.cursor = data.cursor;
  }

  /* "Busy (on a call)": a presence state with the server's reason for it, when it gave one */
  function presenceText(p) {
    const why = p.reason ? W["reason_" + p.reason] : "";
    return word(p.state) + (why ? ` (${why})` : "");
  }

  function slaBadge(s) {
    if (!s.sla) return "";
    if (s.sla.breached) return `<span class="badge breached">${esc(word("breached"))}</span>`;
    if (s.sla.at_risk) return `<span class="badge at-risk">${esc(word("at_risk"))}</span>`;
    return "";
  }

  // ownOrg: a list of the viewer's own organisation's tickets (console, provider desk), where
  // the organisation's name would repeat on every row: only who holds the ticket is shown.
  function row(s, extra, ownOrg) {
    const org = ownOrg ? "" : `${esc(s.organisation ? s.organisation.name : "")}<br>`;
    return `<tr data-id="${s.id}" data-number="${esc(s.number)}" data-version="${s.version}" class="prio-${esc(s.priority)}">` +
      `<td class="number">${esc(s.number)}</td>` +
      `<td class="subject"><span class="title">${esc(s.subject)}</span><span class="enterprise muted">${esc(s.enterprise || "")}</span></td>` +
      `<td><span class="badge status-${esc(s.status)}">${esc(label("status", s.status))}</span> ${slaBadge(s)}</td>` +
      `<td class="channel">${esc(label("channel", s.channel))}<br><span class="muted">${esc(label("district", s.district))}</span></td>` +
      `<td class="holder">${org}<span class="muted nowrap">${esc(s.assignee ? s.assignee.name : "")}</span></td>` +
      (extra || "") + `</tr>`;
  }

  function alert(text, cls) {
    const list = document.getElementById("alerts");
    if (!list) return;
    const item = document.createElement("li");
    item.className = cls || "";
    item.innerHTML = `<time>${esc(localTime(new Date().toISOString()))}</time> ${text}`;
    list.prepend(item);
    while (list.children.length > 30) list.lastChild.remove();
  }

  window.Desk = {boot, word, label, esc, localTime, ago, duration, Store, api, connect, catchUp, row,
                 alert, slaBadge, presenceText};
})();
