// A button or link marked data-print opens the browser's print dialog (the monthly report's
// "Print or save as PDF", the service trace's 打印); a file of its own because pages carry no
// inline script (CSP). A link's "#" is not followed.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  }
})();
