// A button marked data-print opens the browser's print dialog (the monthly report's
// "Print or save as PDF"); a file of its own because pages carry no inline script (CSP).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
