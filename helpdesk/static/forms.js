/* A field's error (templates/_forms.html: .field.has-error, its p.error, aria-invalid) said what
   was wrong with the value that was sent; once the person edits that field the message and the
   red border go, so a corrected field no longer looks wrong. The server checks again on submit. */
(function () {
  "use strict";
  function clear(event) {
    const input = event.target;
    if (!(input instanceof Element) || !input.matches("input, select, textarea")) return;
    const field = input.closest(".field.has-error, .has-error[data-required-error]");
    if (!field) return;
    field.classList.remove("has-error");
    field.removeAttribute("data-required-error");
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

  /* A form marked data-required="<message>" (and novalidate) says what is missing in our own
     words beside the field, instead of the browser's bubble in the browser's language: the
     回访 forms, the ticket page's actions, the desks' inline actions. Nothing typed is lost. */
  function missing(form) {
    const radios = new Set(), empty = [];
    form.querySelectorAll("[required]").forEach((el) => {
      if (el.type === "radio") {
        if (radios.has(el.name)) return;
        radios.add(el.name);
        const group = Array.from(form.querySelectorAll("input[type=radio]")).filter((r) => r.name === el.name);
        if (!group.some((r) => r.checked)) empty.push(el);
      } else if (!String(el.value || "").trim()) {
        empty.push(el);
      }
    });
    return empty;
  }
  function mark(el, message, n) {
    const box = el.type === "radio" ? el.closest("fieldset") : (el.closest("label") || el.parentElement);
    if (box.querySelector("p.error")) return;  // the server's message for it is still there
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("data-required-error", "");
    p.id = (el.id || "required-" + n) + "-error";
    p.textContent = message;
    if (box.contains(el) && el.type !== "radio" && el.parentElement === box) el.after(p); else box.append(p);
    box.classList.add("has-error");
    box.setAttribute("data-required-error", "");
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", p.id);
  }
  let marked = 0;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.required) return;
    [form, ...form.querySelectorAll("[data-required-error]")].forEach((box) => {
      if (!box.hasAttribute("data-required-error")) return;
      box.classList.remove("has-error");
      box.removeAttribute("data-required-error");
      box.querySelectorAll("p.error[data-required-error]").forEach((p) => p.remove());
    });
    const empty = missing(form);
    if (!empty.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();  // the desks' own submit handlers do not send it either
    empty.forEach((el) => mark(el, el.dataset.requiredMessage || form.dataset.required, ++marked));
    empty[0].focus();
  }, true);

  /* A form marked data-confirm="<question>" does what cannot be undone (reject a registration,
     merge two records, revoke a token): the question is asked first, in the page's words, and
     Cancel sends nothing. Registered after the data-required check: a form with an empty
     required field is marked, not asked about. */
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (window.confirm(form.dataset.confirm)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
  }, true);

  /* A page sent back with field errors (a ticket action's reason left empty): the first wrong
     field is where the eye and the cursor go, not the top of a long page. */
  document.addEventListener("DOMContentLoaded", () => {
    const first = document.querySelector("main [aria-invalid=true]");
    if (first) { first.focus(); first.scrollIntoView({block: "center"}); }
  });
})();
