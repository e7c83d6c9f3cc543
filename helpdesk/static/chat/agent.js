/* The agent side of the chat, wherever it is mounted (templates/chat/_desk.html): the
   standalone page /chat/agent and the agent console. The queue, accept, one panel per chat
   (reply, canned replies, files shown, transfer with a note, end), all through the /chat
   namespace's agent events. Texts from the network go in with textContent only. */
(function () {
  "use strict";
  var fill = function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return String(values[name]); });
  };

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function mount(root) {
    var config = JSON.parse(root.querySelector("script.chat-agent-config").textContent);
    var T = config.t;
    var one = function (cls) { return root.querySelector("." + cls) || document.querySelector("." + cls); };
    var panels = {};  // conversation id -> {el, lastSeq, rendered}
    var socket = io("/chat", { transports: ["websocket", "polling"] });
    window.hdAgentSocket = socket;

    function systemText(body) {
      if (body.indexOf("joined:") === 0) { return fill(T.joined, { name: body.slice(7) }); }
      if (body === "transferred") { return T.transferred; }
      if (body === "ended") { return T.ended; }
      return body;
    }

    function renderQueue(list) {
      var ul = one("chat-queue");
      ul.textContent = "";
      one("chat-queue-empty").hidden = list.length > 0;
      list.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "queued";
        li.dataset.conversation = String(item.conversation_id);
        var who = document.createElement("strong");
        who.textContent = item.visitor || T.visitor;
        var meta = document.createElement("span");
        meta.className = "small muted";
        meta.textContent = " " + (item.category_name || item.category) + " · " + item.ticket + (item.offered_to === config.me ? " · " + T.offered : "");
        li.appendChild(who);
        li.appendChild(meta);
        if (item.note) {
          var note = document.createElement("div");
          note.className = "small";
          note.textContent = item.note;
          li.appendChild(note);
        }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button primary accept";
        button.textContent = T.accept;
        button.addEventListener("click", function () { accept(item.conversation_id); });
        li.appendChild(button);
        ul.appendChild(li);
      });
    }

    function accept(id) {
      socket.emit("accept", { conversation_id: id }, function (ack) {
        if (!ack.ok) { window.alert(ack.text || ack.message); return; }
        open(ack);
      });
    }

    function panel(view) {
      var id = view.conversation_id;
      if (panels[id]) { return panels[id]; }
      var el = one("chat-panel-template").content.firstElementChild.cloneNode(true);
      el.dataset.conversation = String(id);
      el.querySelector(".visitor").textContent = view.visitor || T.visitor;
      el.querySelector(".meta").textContent = [view.phone_display || view.phone || "", view.category_name || view.category].join(" · ");
      var link = el.querySelector(".ticket");
      link.textContent = fill(T.ticket, { n: view.ticket });
      link.href = "/tickets/" + encodeURIComponent(view.ticket);
      if (view.note) { var n = el.querySelector(".note"); n.textContent = view.note; n.hidden = false; }
      var p = { el: el, lastSeq: 0, rendered: {}, readByVisitor: view.read_by_visitor || 0, timer: null };
      panels[id] = p;
      el.querySelector(".canned").addEventListener("change", function (event) {
        if (event.target.value) { el.querySelector("textarea.reply").value = event.target.value; event.target.value = ""; }
      });
      el.querySelector("textarea.reply").addEventListener("input", function () {
        var now = Date.now();
        if (!p.typed || now - p.typed > 2000) { p.typed = now; socket.emit("typing", { conversation_id: id }); }
      });
      el.querySelector(".send").addEventListener("submit", function (event) {
        event.preventDefault();
        var box = el.querySelector("textarea.reply");
        var text = box.value.trim();
        if (!text) { return; }
        box.value = "";
        var clientId = newId();
        var attempt = function () {
          socket.timeout(10000).emit("message", { conversation_id: id, body: text, client_id: clientId }, function (err, ack) {
            if (err) { setTimeout(attempt, 1000); return; }  // same client id: never twice
            el.querySelector(".error").textContent = ack.ok ? "" : (ack.text || ack.message);
          });
        };
        attempt();
      });
      el.querySelector(".transfer-form").addEventListener("submit", function (event) {
        event.preventDefault();
        var f = event.target;
        var data = { conversation_id: id, note: f.querySelector(".note-input").value };
        if (f.querySelector(".to-agent").value) { data.to_agent_id = Number(f.querySelector(".to-agent").value); }
        if (f.querySelector(".to-group").value) { data.to_organisation_id = Number(f.querySelector(".to-group").value); }
        socket.emit("transfer", data, function (ack) {
          if (!ack.ok) { el.querySelector(".error").textContent = ack.text || ack.message; return; }
          el.remove();
          delete panels[id];
        });
      });
      el.querySelectorAll(".end, .end-file").forEach(function (button) {
        button.addEventListener("click", function () {
          // 转为工单: the ticket leaves the centre by the routing rules as the chat ends
          var file = button.classList.contains("end-file");
          socket.emit("end", { conversation_id: id, file: file }, function (ack) {
            if (!ack.ok) { el.querySelector(".error").textContent = ack.text || ack.message; return; }
            closed(p);
          });
        });
      });
      one("chat-panels").appendChild(el);
      return p;
    }

    function closed(p) {
      p.el.classList.add("ended");
      p.el.querySelector(".send").hidden = true;
      p.el.querySelector(".transfer").hidden = true;
      p.el.querySelectorAll(".end, .end-file").forEach(function (b) { b.hidden = true; });
    }

    function marks(p) {
      Object.keys(p.rendered).forEach(function (s) {
        var li = p.rendered[s];
        if (li.classList.contains("from-agent")) {
          li.querySelector(".mark").textContent = Number(s) <= p.readByVisitor ? "✓✓" : "✓";
        }
      });
    }

    function render(m) {
      var p = panels[m.c];
      if (!p || p.rendered[m.seq]) { return; }
      var li = document.createElement("li");
      li.className = "msg from-" + m.sender;
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = m.sender === "visitor" ? T.visitor : (m.sender === "agent" ? (m.author || T.you) : "");
      var body = document.createElement("span");
      body.className = "body";
      body.textContent = m.sender === "system" ? systemText(m.body) : m.body;
      li.appendChild(who);
      li.appendChild(body);
      if (m.attachment && typeof m.attachment.url === "string" && m.attachment.url.indexOf("/portal/files/") === 0) {
        var a = document.createElement("a");
        a.href = m.attachment.url;
        a.setAttribute("download", "");
        a.textContent = m.attachment.name;
        a.classList.add("attachment");
        li.appendChild(a);
      }
      var mark = document.createElement("span");
      mark.className = "mark";
      li.appendChild(mark);
      var log = p.el.querySelector(".log");
      var next = null;
      Object.keys(p.rendered).forEach(function (s) {
        s = Number(s);
        if (s > m.seq && (next === null || s < next)) { next = s; }
      });
      if (next === null) { log.appendChild(li); } else { log.insertBefore(li, p.rendered[next]); }
      p.rendered[m.seq] = li;
      p.lastSeq = Math.max(p.lastSeq, m.seq);
      log.scrollTop = log.scrollHeight;
      marks(p);
      if (m.sender === "visitor") { socket.emit("read", { conversation_id: m.c, seq: m.seq }); }
      if (m.sender === "system" && m.body === "ended") { closed(p); }
    }

    function open(view) {
      var p = panel(view);
      socket.emit("open", { conversation_id: view.conversation_id, after: p.lastSeq }, function (ack) {
        if (!ack.ok) { return; }
        ack.messages.forEach(render);
        if (ack.status === "ended") { closed(p); }
      });
    }

    socket.on("connect", function () {
      one("chat-status").textContent = T.online;
      socket.emit("mine", {}, function (ack) { if (ack.ok) { ack.conversations.forEach(open); } });
    });
    socket.on("disconnect", function () { one("chat-status").textContent = T.offline; });
    socket.on("queue_list", renderQueue);
    socket.on("msg", render);
    socket.on("read", function (r) {
      var p = panels[r.c];
      if (p && r.side === "visitor") { p.readByVisitor = Math.max(p.readByVisitor, r.seq); marks(p); }
    });
    socket.on("typing", function (t) {
      var p = panels[t.c];
      if (!p || t.sender !== "visitor") { return; }
      var el = p.el.querySelector(".typing");
      el.hidden = false;
      clearTimeout(p.timer);
      p.timer = setTimeout(function () { el.hidden = true; }, 3000);
    });
    return socket;
  }

  window.ChatAgent = { mount: mount };
  var start = function () { document.querySelectorAll("[data-chat-desk]").forEach(mount); };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
