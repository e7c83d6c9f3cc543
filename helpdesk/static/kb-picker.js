/* The agents' guide picker, beside a ticket reply or a chat reply: search the guides and put a
   guide's link, or its excerpt and link, into the reply being written. Delegated, so chat
   panels made later get it too. */
(function () {
  "use strict";
  var timers = new WeakMap();

  function target(picker) {
    var form = picker.closest("form");
    return form && form.querySelector("textarea");
  }

  function insert(field, text) {
    var start = field.selectionStart != null ? field.selectionStart : field.value.length;
    var end = field.selectionEnd != null ? field.selectionEnd : start;
    var before = field.value.slice(0, start), after = field.value.slice(end);
    var gap = before && !/\s$/.test(before) ? "\n" : "";
    field.value = before + gap + text + after;
    field.focus();
    var at = (before + gap + text).length;
    field.setSelectionRange(at, at);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button subtle small";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function search(picker) {
    var q = picker.querySelector("input").value;
    fetch(picker.dataset.kbPick + "?q=" + encodeURIComponent(q.slice(0, 100)), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { articles: [] }; })
      .then(function (data) {
        var list = picker.querySelector("ul");
        list.textContent = "";
        (data.articles || []).forEach(function (a) {
          var item = document.createElement("li");
          var title = document.createElement("strong");
          title.textContent = a.title + (a.internal ? " (" + picker.dataset.internal + ")" : "");
          item.appendChild(title);
          item.appendChild(document.createElement("br"));
          item.appendChild(button(picker.dataset.link, function () {
            insert(target(picker), a.title + " " + a.url);
          }));
          item.appendChild(button(picker.dataset.excerpt, function () {
            insert(target(picker), a.excerpt + "\n" + a.title + " " + a.url);
          }));
          list.appendChild(item);
        });
        picker.querySelector(".kb-picker-empty").hidden = (data.articles || []).length > 0;
      })
      .catch(function () { /* the reply can still be written by hand */ });
  }

  document.addEventListener("input", function (event) {
    var picker = event.target.closest && event.target.closest("[data-kb-pick]");
    if (!picker || event.target.tagName !== "INPUT") { return; }
    clearTimeout(timers.get(picker));
    timers.set(picker, setTimeout(function () { search(picker); }, 250));
  });
  document.addEventListener("keydown", function (event) {
    // Enter searches at once; it must not send the reply the picker sits in.
    var picker = event.target.closest && event.target.closest("[data-kb-pick]");
    if (!picker || event.key !== "Enter" || event.target.tagName !== "INPUT") { return; }
    event.preventDefault();
    clearTimeout(timers.get(picker));
    search(picker);
  });
  document.addEventListener("toggle", function (event) {
    var picker = event.target;
    if (picker.matches && picker.matches("[data-kb-pick]") && picker.open) { search(picker); }
  }, true);
}());
