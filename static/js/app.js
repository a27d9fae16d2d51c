// Small behaviours shared by every page. No inline script anywhere (CSP: script-src 'self').
(function () {
  "use strict";
  // A form or button with data-confirm asks before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm") ||
      (event.submitter && event.submitter.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
})();
