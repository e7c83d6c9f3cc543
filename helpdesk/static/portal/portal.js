/* The need form: suggest a service from the words typed (the enterprise can pick another). */
(function () {
  "use strict";
  var form = document.getElementById("need-form");
  if (!form) { return; }
  var select = document.getElementById("category");
  var note = document.getElementById("suggestion");
  var touched = false;
  var timer = null;
  select.addEventListener("change", function () { touched = true; });
  function ask() {
    var text = form.querySelector("[name=subject]").value + "\n" + form.querySelector("[name=description]").value;
    fetch(form.dataset.suggest + "?text=" + encodeURIComponent(text.slice(0, 2000)))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.category || touched) { return; }
        var option = select.querySelector("option[value='" + CSS.escape(data.category) + "']");
        if (option) { select.value = data.category; note.textContent = "✓ " + option.textContent; }
      });
  }
  form.addEventListener("input", function (event) {
    if (event.target === select) { return; }
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  });
}());
