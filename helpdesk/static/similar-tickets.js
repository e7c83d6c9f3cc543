/* The new-ticket form: the chosen enterprise's open tickets that share words with what the
   agent types (possible duplicates), each a link, so a repeat call joins the ticket it repeats. */
(function () {
  "use strict";
  var box = document.getElementById("similar-tickets");
  if (!box) { return; }
  var form = box.closest("form");
  var list = box.querySelector("ul");
  var timer = null, asked = "";

  function value(id) {
    var field = document.getElementById(id);
    return field ? field.value : "";
  }

  function ask() {
    var params = new URLSearchParams({
      enterprise_id: value("enterprise_id"),
      uscc: value("uscc"),
      text: (value("subject") + "\n" + value("description")).slice(0, 400),
    });
    var query = params.toString();
    if (query === asked) { return; }
    asked = query;
    fetch(box.dataset.similar + "?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { tickets: [] }; })
      .then(function (data) {
        if (query !== asked) { return; }
        list.textContent = "";
        (data.tickets || []).forEach(function (t) {
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = t.url;
          link.target = "_blank";
          link.rel = "noopener";
          link.textContent = t.number + " " + t.subject;
          var meta = document.createElement("span");
          meta.className = "small muted";
          meta.textContent = " " + t.status + " · " + t.created;
          item.appendChild(link);
          item.appendChild(meta);
          list.appendChild(item);
        });
        box.hidden = !(data.tickets || []).length;
      })
      .catch(function () { /* no hint is fine: the form still works */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  later();  // a form opened from a screen pop arrives with its enterprise chosen
}());
