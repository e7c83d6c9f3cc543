/* A field's error (templates/_forms.html: .field.has-error, its p.error, aria-invalid) said what
   was wrong with the value that was sent; once the person edits that field the message and the
   red border go, so a corrected field no longer looks wrong. The server checks again on submit. */
(function () {
  "use strict";
  function clear(event) {
    const input = event.target;
    if (!(input instanceof Element) || !input.matches("input, select, textarea")) return;
    const field = input.closest(".field.has-error");
    if (!field) return;
    field.classList.remove("has-error");
    field.querySelectorAll("p.error").forEach((p) => p.remove());
    field.querySelectorAll("[aria-invalid]").forEach((el) => {
      el.removeAttribute("aria-invalid");
      if ((el.getAttribute("aria-describedby") || "").endsWith("-error")) {
        el.removeAttribute("aria-describedby");
      }
    });
  }
  document.addEventListener("input", clear);
  document.addEventListener("change", clear);
})();
