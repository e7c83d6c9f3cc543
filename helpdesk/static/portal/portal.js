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

/* The registration form: the credit code's characters 3-8 name the district (91330106... is
   西湖区); preselect it while the enterprise has not picked one itself. */
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) { return; }
  var code = form.querySelector("[name=uscc]");
  var district = form.querySelector("[name=district]");
  if (!code || !district) { return; }
  var chosen = district.value !== "";
  var ours = false;  /* the value now shown was set here, not by the enterprise */
  district.addEventListener("change", function () { chosen = district.value !== ""; ours = false; });
  code.addEventListener("input", function () {
    if (chosen && !ours) { return; }
    var found = code.value.trim().slice(2, 8);
    var option = /^\d{6}$/.test(found) && district.querySelector("option[value='" + found + "']");
    district.value = option ? found : "";
    ours = Boolean(option);
    chosen = ours;
  });
}());
