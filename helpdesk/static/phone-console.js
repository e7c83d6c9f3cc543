/* The call console's transfer boxes: the target's suggestions follow the kind chosen
   (colleagues by extension, workstations and providers by name, providers' numbers). */
(function () {
  "use strict";
  document.querySelectorAll("select.transfer-kind").forEach((kind) => {
    const target = kind.form.querySelector("input[name=target]");
    kind.addEventListener("change", () => target.setAttribute("list", "targets-" + kind.value));
  });
})();
