// COM-1: a refused reply (text too long, a file of another kind) comes back as the reply form
// with the Russian message and a 4xx status; htmx does not swap error answers by default, so
// the form's own refusal (marked by the server with HX-Retarget) is shown in place of the form.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget") === "#reply-form") {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
})();
