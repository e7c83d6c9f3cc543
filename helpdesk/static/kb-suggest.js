/* Guides suggested while an enterprise types a need or a chat's first question.
   The box names its form, the fields it reads, where to ask and where to count:
   shown (once per guide per page), opened (counted by the article page from ?from=),
   abandoned (a guide was opened and the form was left unsent). */
(function () {
  "use strict";
  var box = document.querySelector("[data-kb-suggest]");
  if (!box) { return; }
  var form = document.getElementById(box.dataset.form);
  if (!form) { return; }
  var list = box.querySelector("ul");
  var surface = box.dataset.surface;
  var fields = box.dataset.fields.split(" ");
  var shown = {}, opened = {}, sent = false, timer = null, asked = "";

  function count(event, ids) {
    if (!ids.length) { return; }
    var data = new FormData();
    data.append("event", event);
    data.append("surface", surface);
    data.append("articles", ids.join(","));
    if (navigator.sendBeacon && navigator.sendBeacon(box.dataset.kbCount, data)) { return; }
    fetch(box.dataset.kbCount, { method: "POST", body: data, keepalive: true, credentials: "same-origin" });
  }

  function typed() {
    return fields.map(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      return field ? field.value : "";
    }).join("\n").trim();
  }

  function show(articles) {
    list.textContent = "";
    var fresh = [];
    articles.forEach(function (a) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = a.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = a.title;
      link.addEventListener("click", function () { opened[a.id] = true; });
      var more = document.createElement("span");
      more.className = "small muted";
      more.textContent = " " + a.excerpt;
      item.appendChild(link);
      item.appendChild(more);
      list.appendChild(item);
      if (!shown[a.id]) { shown[a.id] = true; fresh.push(a.id); }
    });
    box.hidden = articles.length === 0;
    count("shown", fresh);
  }

  function ask() {
    var text = typed();
    if (text.length < 2 || text === asked) { return; }
    asked = text;
    var url = box.dataset.kbSuggest + "?from=" + surface + "&text=" + encodeURIComponent(text.slice(0, 400));
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { articles: [] }; })
      .then(function (data) { if (text === asked) { show(data.articles || []); } })
      .catch(function () { /* no suggestions is fine: the form still works */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  form.addEventListener("submit", function () { sent = true; });
  window.addEventListener("pagehide", function () {
    if (sent) { return; }
    count("abandoned", Object.keys(opened));
    opened = {};
  });
}());
