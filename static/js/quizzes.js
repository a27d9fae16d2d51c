// Electronic tests (JRN-10): each answer is saved by htmx as it changes. A request that fails
// for lack of connection leaves its question pending; the page says it will retry and re-sends
// every pending answer when the browser is back online (and every few seconds until then).
// The countdown only shows the time left: the server keeps the deadline.
(function () {
  "use strict";
  var pending = new Set();

  function banner() {
    var el = document.getElementById("quiz-offline");
    if (el) { el.hidden = pending.size === 0 && navigator.onLine; }
  }

  function retry() {
    if (!window.htmx) { return; }
    pending.forEach(function (form) { window.htmx.trigger(form, "change"); });
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    // the server's refusal (late answer, bad input) is shown in place of "saved"
    if (evt.detail.xhr && evt.detail.xhr.status >= 400 && evt.detail.xhr.status < 500) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  document.addEventListener("htmx:sendError", function (evt) {
    var form = evt.detail.elt && evt.detail.elt.closest("form[data-quiz-answer]");
    if (form) { pending.add(form); banner(); }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt && evt.detail.elt.closest("form[data-quiz-answer]");
    if (form && evt.detail.xhr && evt.detail.xhr.status > 0) { pending.delete(form); banner(); }
  });
  window.addEventListener("online", function () { retry(); banner(); });
  window.addEventListener("offline", banner);
  setInterval(function () { if (pending.size && navigator.onLine) { retry(); } }, 3000);

  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.getElementById("quiz-bar");
    var timer = document.getElementById("quiz-timer");
    if (!bar || !timer || !bar.dataset.secondsLeft) { return; }
    var end = Date.now() + 1000 * parseInt(bar.dataset.secondsLeft, 10);
    setInterval(function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var s = left % 60;
      timer.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
    }, 1000);
  });
})();
