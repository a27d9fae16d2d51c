// The timetable editor: a refused cell (400 bad input, 409 clash) is swapped in with its
// message; the print page's button prints. No inline script (CSP: script-src 'self').
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || !target.closest || !target.closest(".tt-grid")) { return; }
    var status = evt.detail.xhr.status;
    if (status === 400 || status === 409) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    } else if (status === 401 || status === 403 || status === 404) {
      window.alert(status === 401 ? "Сеанс завершён. Войдите снова." : "Нет доступа к этому расписанию.");
    }
  });
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-print]");
    if (button) { window.print(); }
  });
})();
