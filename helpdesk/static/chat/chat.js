/* The visitor's chat: pre-chat form, queue, messages with delivered/read marks, files,
   resume after a reload or a dropped connection (nothing lost, nothing twice), rating.
   Every text from the network is put in the page with textContent, never as HTML. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var T = config.t;
  var KEY = "hd_chat_token";
  var $ = function (id) { return document.getElementById(id); };
  var fill = function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return String(values[name]); });
  };
  var show = function (id, on) { $(id).hidden = !on; };

  var token = null;
  try { token = window.localStorage.getItem(KEY); } catch (e) { token = null; }
  var lastSeq = 0;            // the highest sequence number rendered
  var rendered = {};          // seq -> <li>
  var outbox = [];            // {client_id, body, attachment, li}: sent until the server acks
  var readByAgent = 0;
  var status = null;
  var typingTimer = null;
  var lastTyping = 0;
  var bound = false;          // this socket is attached to the conversation (after resume)

  var socket = io("/chat", { transports: ["websocket", "polling"] });
  window.hdChatSocket = socket;  // tests force reconnects through it

  function setStatus(text) { $("chat-status").textContent = text; }

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function systemText(body) {
    if (body.indexOf("joined:") === 0) { return fill(T.joined, { name: body.slice(7) }); }
    if (body === "transferred") { return T.transferred; }
    if (body === "ended") { return T.ended; }
    return body;
  }

  function messageNode(m) {
    var li = document.createElement("li");
    li.className = "msg from-" + m.sender;
    if (m.seq) { li.dataset.seq = String(m.seq); }
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = m.sender === "visitor" ? T.you : (m.author || T.agent);
    var body = document.createElement("span");
    body.className = "body";
    body.textContent = m.sender === "system" ? systemText(m.body) : m.body;
    if (m.sender !== "system") { li.appendChild(who); }
    li.appendChild(body);
    if (m.attachment && typeof m.attachment.url === "string" && m.attachment.url.indexOf("/portal/files/") === 0) {
      var a = document.createElement("a");
      a.href = m.attachment.url;
      a.setAttribute("download", "");
      a.className = "file";
      a.textContent = m.attachment.name;
      a.classList.add("attachment");
      li.appendChild(a);
    }
    var mark = document.createElement("span");
    mark.className = "mark";
    li.appendChild(mark);
    return li;
  }

  function place(li, seq) {
    var log = $("log");
    var after = null;
    Object.keys(rendered).forEach(function (s) {
      s = Number(s);
      if (s > seq && (after === null || s < after)) { after = s; }
    });
    if (after === null) { log.appendChild(li); } else { log.insertBefore(li, rendered[after]); }
  }

  function render(m) {
    if (!m || typeof m.seq !== "number" || rendered[m.seq]) { return; }  // nothing twice
    var pending = null;
    outbox.forEach(function (o) { if (o.client_id && o.client_id === m.client_id) { pending = o; } });
    var li = messageNode(m);
    if (pending && pending.li) { pending.li.remove(); pending.li = null; }
    rendered[m.seq] = li;
    place(li, m.seq);
    lastSeq = Math.max(lastSeq, m.seq);
    marks();
    $("log").scrollTop = $("log").scrollHeight;
    if (m.sender === "agent" && document.visibilityState !== "hidden") {
      socket.emit("read", { seq: m.seq });
    }
    if (m.sender === "system" && m.body === "ended") { ended(); }
  }

  function marks() {
    Object.keys(rendered).forEach(function (s) {
      var li = rendered[s];
      if (!li.classList.contains("from-visitor")) { return; }
      var mark = li.querySelector(".mark");
      var read = Number(s) <= readByAgent;
      mark.textContent = read ? "✓✓" : "✓";
      mark.title = read ? T.read : T.delivered;
      li.classList.toggle("read", read);
    });
  }

  function state(s) {
    status = s.status;
    if (typeof s.read_by_agent === "number") { readByAgent = Math.max(readByAgent, s.read_by_agent); marks(); }
    if (s.status === "queued") {
      $("queue").textContent = fill(T.queued, { n: s.position, m: s.wait_minutes });
      setStatus(fill(T.queued, { n: s.position, m: s.wait_minutes }));
    } else if (s.status === "active") {
      $("queue").textContent = "";
      setStatus(fill(T.active, { name: s.agent || T.agent }));
    } else if (s.status === "ended") {
      ended(s.rated);
    }
  }

  function ended(rated) {
    status = "ended";
    setStatus(T.ended);
    $("queue").textContent = "";
    $("send-form").hidden = true;
    $("end").hidden = true;
    show("rating", true);
    if (rated) { $("rate-form").hidden = true; show("rated", true); }
  }

  function conversation() {
    show("prechat", false);
    show("conversation", true);
  }

  function flush() {
    outbox.slice().forEach(function (o) { if (!o.inFlight) { deliver(o); } });
  }

  function deliver(o) {
    if (!socket.connected || !token || !bound) { return; }
    o.inFlight = true;
    socket.timeout(10000).emit("message", { body: o.body, client_id: o.client_id, attachment: o.attachment },
      function (err, ack) {
        o.inFlight = false;
        var at = outbox.indexOf(o);
        if (err || at < 0) { return; }  // no answer: kept, sent again with the same id
        if (!ack.ok && ack.field === "token") { return; }  // arrived before resume: sent again
        if (!ack.ok) {
          outbox.splice(at, 1);
          if (o.li) { o.li.classList.add("failed"); }
          $("send-error").textContent = fill(T.error, { reason: ack.text || ack.message });
          return;
        }
        outbox.splice(at, 1);
        if (o.li) { o.li.remove(); o.li = null; }
        if (!rendered[ack.seq]) {
          render({ seq: ack.seq, sender: "visitor", body: o.body, client_id: o.client_id, attachment: o.shown });
        }
      });
  }

  function send(body, attachment, shown) {
    var o = { client_id: newId(), body: body, attachment: attachment, shown: shown };
    o.li = messageNode({ sender: "visitor", body: body, attachment: shown });
    o.li.classList.add("pending");
    o.li.querySelector(".mark").textContent = T.sending;
    $("log").appendChild(o.li);
    outbox.push(o);
    deliver(o);
  }

  function resume() {
    socket.emit("resume", { token: token, after: lastSeq }, function (ack) {
      if (!ack.ok) {
        try { window.localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
        token = null;
        return;
      }
      conversation();
      bound = true;
      ack.messages.forEach(render);
      state(ack);
      flush();
    });
  }

  socket.on("connect_error", function () { setStatus(T.offline); });
  socket.on("disconnect", function () {
    bound = false;
    outbox.forEach(function (o) { o.inFlight = false; });
    setStatus(T.offline);
  });
  socket.on("hello", function (hello) {
    setStatus("");
    if (token) { resume(); return; }
    show("prechat", true);
    var form = $("prechat-form");
    if (hello.known) {
      form.querySelectorAll(".visitor-only").forEach(function (el) { el.hidden = true; });
      $("prechat-known").textContent = fill(T.welcome, { name: hello.known.name, enterprise: hello.known.enterprise || "" });
      show("prechat-known", true);
    }
    show("start", hello.open);
    show("leave", !hello.open);
    if (!hello.open) {
      $("closed-reason").textContent = hello.reason === "closed" ? T.closed : T.nobody;
      show("closed-reason", true);
    }
  });
  socket.on("msg", render);
  socket.on("state", state);
  socket.on("queue", function (q) { if (status === "queued") { state({ status: "queued", position: q.position, wait_minutes: q.wait_minutes }); } });
  socket.on("read", function (r) {
    if (r.side === "agent") { readByAgent = Math.max(readByAgent, r.seq); marks(); }
  });
  socket.on("typing", function (t) {
    if (t.sender !== "agent") { return; }
    show("typing", true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { show("typing", false); }, 3000);
  });

  $("prechat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var data = {
      name: form.name.value, phone: form.phone.value,
      category: form.category.value, question: form.question.value,
    };
    var leaving = !$("leave").hidden;
    $("prechat-error").textContent = "";
    socket.emit(leaving ? "leave_message" : "start", data, function (ack) {
      if (!ack.ok) {
        $("prechat-error").textContent = fill(T.error, { reason: ack.text || ack.message });
        if (ack.field === "closed" || ack.field === "nobody") { show("start", false); show("leave", true); }
        return;
      }
      if (leaving) {
        show("prechat", false);
        $("left-text").textContent = fill(T.left, { n: ack.ticket });
        show("left", true);
        return;
      }
      token = ack.token;
      try { window.localStorage.setItem(KEY, token); } catch (e) { /* private mode */ }
      conversation();
      setStatus(fill(T.ticket, { n: ack.ticket }));
      resume();
    });
  });

  $("send-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("body").value.trim();
    if (!text) { return; }
    $("body").value = "";
    $("send-error").textContent = "";
    send(text, null, null);
  });
  $("body").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("send-form").requestSubmit();
    }
  });
  $("body").addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping > 2000 && socket.connected) { lastTyping = now; socket.emit("typing", {}); }
  });
  $("file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    event.target.value = "";
    if (!file) { return; }
    if (file.size > config.fileBytes) { $("send-error").textContent = T.tooBig; return; }
    var body = new FormData();
    body.append("file", file);
    fetch("/chat/files", { method: "POST", body: body, headers: { "X-Chat-Upload": "1", "X-Chat-Token": token || "" } })
      .then(function (r) { return r.json(); })
      .then(function (ack) {
        if (!ack.ok) { $("send-error").textContent = fill(T.error, { reason: ack.text || ack.message }); return; }
        send("", ack.key, ack);
      });
  });
  $("end").addEventListener("click", function () {
    socket.emit("end", {}, function (ack) { if (ack.ok) { ended(); } });
  });
  $("rate-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = event.target.querySelector("input[name=score]:checked");
    if (!chosen) { return; }
    socket.emit("rate", { score: Number(chosen.value), comment: event.target.comment.value }, function (ack) {
      if (ack.ok || ack.message.indexOf("already") >= 0) {
        $("rate-form").hidden = true;
        show("rated", true);
        try { window.localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
      }
    });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && lastSeq && token) { socket.emit("read", { seq: lastSeq }); }
  });
}());
