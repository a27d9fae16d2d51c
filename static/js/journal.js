// The journal grid: spreadsheet-like keyboard entry, a tap palette for tablets, and an outbox
// that keeps unsaved cells and retries them when the network returns. htmx does the saving;
// this file never tells the teacher a mark is saved before the server answered 200.
(function () {
  "use strict";

  var OUTBOX_KEY = "journal-outbox:" + location.pathname;
  var RETRY_MS = 5000;
  var MAX_WAIT_MS = 10 * 60 * 1000;
  var retryNotBefore = 0;  // the server said when to come back (503 + Retry-After)
  var serverToast = false;  // the toast shows a 503's reason: cleared once the outbox is empty
  var outbox = loadOutbox();
  var activeInput = null;
  var addMode = false;

  function loadOutbox() {
    try { return JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox() {
    try { localStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox)); } catch (e) { /* private mode: memory only */ }
    var status = document.getElementById("outbox-status");
    if (!status) { return; }
    if (outbox.length) {
      status.textContent = "Не сохранено клеток: " + outbox.length + ". Повторим автоматически, как только появится связь — не закрывайте страницу.";
      status.classList.remove("hidden");
    } else {
      status.textContent = "";
      status.classList.add("hidden");
    }
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // works on plain-http intranet addresses too
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function isCellInput(el) { return el && el.classList && el.classList.contains("cell-input"); }
  function toast(message) {
    var t = document.getElementById("journal-toast");
    if (t) { t.textContent = message || ""; t.className = message ? "toast toast-error" : "toast"; }
    serverToast = false;  // another message replaces a 503's reason
  }
  // A server error: wait as long as Retry-After says (seconds or a date), or RETRY_MS, before
  // the outbox tries again, so a busy or restoring server is not hammered.
  function noteServerError(retryAfter) {
    var wait = RETRY_MS;
    if (retryAfter) {
      var seconds = Number(retryAfter);
      wait = isNaN(seconds) ? Date.parse(retryAfter) - Date.now() : seconds * 1000;
      if (isNaN(wait) || wait < 0) { wait = RETRY_MS; }
    }
    retryNotBefore = Date.now() + Math.min(wait, MAX_WAIT_MS);
  }
  // The message of the server's error fragment (a busy database, a restore), as text only.
  function serverMessage(html) {
    try { return new DOMParser().parseFromString(html || "", "text/html").body.textContent.trim(); } catch (e) { return ""; }
  }
  function serverToastFrom(html) {
    var message = serverMessage(html);
    if (message) { toast(message); serverToast = true; }
  }

  // --- Saving: idempotency key, errors, outbox ------------------------------------------
  document.addEventListener("htmx:configRequest", function (evt) {
    var el = evt.detail.elt;
    if (!isCellInput(el)) { return; }
    // One key per value typed: a retry of the same value reuses it, so it is stored once.
    if (el.dataset.keyFor !== el.value) {
      el.dataset.key = newKey();
      el.dataset.keyFor = el.value;
    }
    evt.detail.parameters.key = el.dataset.key;
  });

  // Period and year marks: the server answers 400/409 with the cell as stored and a message.
  function isPeriodMarkControl(el) { return el && el.closest && el.closest("td.pm"); }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var el = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (!isPeriodMarkControl(el)) { return; }
    var status = evt.detail.xhr.status;
    if (status === 400 || status === 409) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    } else if (status === 401 || status === 403 || status === 404) {
      evt.detail.shouldSwap = false;
      toast(status === 401 ? "Сеанс завершён. Войдите снова." : "Нет доступа к этой отметке.");
    } else if (status === 503) {
      evt.detail.shouldSwap = false;
      toast(serverMessage(evt.detail.xhr.responseText) || "Сервер занят. Попробуйте ещё раз через несколько секунд.");
    } else if (status >= 500) {
      evt.detail.shouldSwap = false;
      toast("Отметка не сохранена: ошибка сервера. Попробуйте ещё раз.");
    }
  });
  document.addEventListener("htmx:sendError", function (evt) {
    if (isPeriodMarkControl(evt.detail.elt)) { toast("Нет связи с сервером: отметка не сохранена. Попробуйте ещё раз."); }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    var td = evt.detail.target;
    if (td && td.classList && td.classList.contains("pm")) {
      var msg = td.getAttribute("data-message");
      if (msg) { toast(msg); } else { td.classList.add("cell-saved"); }
    }
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var el = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (!isCellInput(el)) { return; }
    var status = evt.detail.xhr.status;
    if (status === 400 || status === 409) {
      // The server answers with the cell as stored and a message: show both.
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    } else if (status >= 500 || status === 0) {
      // Nothing was stored: the typed value stays in the cell and goes to the outbox.
      evt.detail.shouldSwap = false;
      if (status >= 500) {
        noteServerError(evt.detail.xhr.getResponseHeader("Retry-After"));
        if (status === 503) { serverToastFrom(evt.detail.xhr.responseText); }
      }
      queueForRetry(el);
    } else if (status === 403 || status === 404 || status === 401) {
      evt.detail.shouldSwap = false;
      toast(status === 401 ? "Сеанс завершён. Войдите снова: несохранённые клетки отмечены." : "Нет доступа к этой клетке.");
      el.closest("td").classList.add("cell-error");
    }
  });

  document.addEventListener("htmx:sendError", function (evt) {
    if (isCellInput(evt.detail.elt)) { queueForRetry(evt.detail.elt); }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    var td = evt.detail.target;
    if (td && td.classList && td.classList.contains("cell")) {
      var msg = td.getAttribute("data-message");
      if (msg) { toast(msg); } else { td.classList.add("cell-saved"); }
      dropFromOutbox(td.id);
    }
  });

  function queueForRetry(el) {
    var td = el.closest("td");
    td.classList.add("cell-failed");
    var base = "";
    try { base = JSON.parse(el.getAttribute("hx-vals")).base; } catch (e) { base = ""; }
    var item = { cell: td.id, url: el.getAttribute("hx-put"), value: el.value, key: el.dataset.key || newKey(), base: base };
    outbox = outbox.filter(function (o) { return o.cell !== item.cell; });
    outbox.push(item);
    saveOutbox();
  }
  function dropFromOutbox(cellId) {
    var before = outbox.length;
    outbox = outbox.filter(function (o) { return o.cell !== cellId; });
    if (outbox.length !== before) { saveOutbox(); }
    if (!outbox.length && serverToast) { toast(""); serverToast = false; }
  }

  var retrying = false;
  function retryOutbox() {
    if (retrying || !outbox.length || navigator.onLine === false || Date.now() < retryNotBefore) { return; }
    retrying = true;
    var item = outbox[0];
    var body = new URLSearchParams({ value: item.value, key: item.key, base: item.base });
    fetch(item.url, {
      method: "PUT", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) {
      return response.text().then(function (html) {
        if (response.status >= 500) {
          noteServerError(response.headers.get("Retry-After"));
          if (response.status === 503) { serverToastFrom(html); }
          throw new Error("server");
        }
        var cell = document.getElementById(item.cell);
        if (response.status === 200 || response.status === 400 || response.status === 409) {
          if (cell) { htmx.swap(cell, html, { swapStyle: "outerHTML" }); }
          var swapped = document.getElementById(item.cell);
          if (swapped) { htmx.process(swapped); }
        }
        dropFromOutbox(item.cell);
      });
    }).catch(function () { /* still offline: keep it */ }).then(function () {
      retrying = false;
      if (outbox.length) { setTimeout(retryOutbox, Math.max(300, retryNotBefore - Date.now())); }
    });
  }
  window.addEventListener("online", retryOutbox);
  setInterval(retryOutbox, RETRY_MS);
  window.addEventListener("beforeunload", function (evt) {
    if (outbox.length) { evt.preventDefault(); evt.returnValue = ""; }
  });

  // --- Keyboard: Enter goes down, arrows move, Escape restores -------------------------
  function cellAt(input, dRow, dCol) {
    var td = input.closest("td");
    var tr = td.parentElement;
    var col = Array.prototype.indexOf.call(tr.children, td);
    var rows = Array.prototype.slice.call(tr.parentElement.children);
    var r = rows.indexOf(tr) + dRow;
    var c = col + dCol;
    while (r >= 0 && r < rows.length) {
      var target = rows[r].children[c];
      if (!target) { return null; }
      var next = target.querySelector(".cell-input");
      if (next) { return next; }
      if (dCol === 0) { r += dRow; } else { c += dCol; }
    }
    return null;
  }
  function move(input, dRow, dCol) {
    var next = cellAt(input, dRow, dCol);
    if (next) { next.focus(); next.select(); next.scrollIntoView({ block: "nearest", inline: "nearest" }); }
    return next;
  }

  document.addEventListener("keydown", function (evt) {
    var el = evt.target;
    if (!isCellInput(el)) { return; }
    var allSelected = el.selectionStart === 0 && el.selectionEnd === el.value.length;
    switch (evt.key) {
      case "Enter": evt.preventDefault(); move(el, evt.shiftKey ? -1 : 1, 0); break;
      case "ArrowDown": evt.preventDefault(); move(el, 1, 0); break;
      case "ArrowUp": evt.preventDefault(); move(el, -1, 0); break;
      case "ArrowRight": if (allSelected || el.selectionEnd === el.value.length) { evt.preventDefault(); move(el, 0, 1); } break;
      case "ArrowLeft": if (allSelected || el.selectionStart === 0) { evt.preventDefault(); move(el, 0, -1); } break;
      case "Escape": el.value = el.dataset.saved || ""; el.select(); break;
    }
  });
  // Typing replaces the cell, as in a spreadsheet: select on focus, and keep the selection
  // through the mouseup of the click that focused it (browsers would place a caret there).
  var justFocused = null;
  document.addEventListener("focusin", function (evt) {
    if (isCellInput(evt.target)) {
      activeInput = evt.target;
      justFocused = evt.target;
      evt.target.select();
    }
  });
  document.addEventListener("mouseup", function (evt) {
    if (justFocused && evt.target === justFocused) { evt.preventDefault(); }
    justFocused = null;
  });

  // --- Tap palette (tablets): tap a cell, tap a mark, the cursor moves down ------------
  var palette = document.getElementById("palette");
  function showPalette(input) {
    if (!palette) { return; }
    activeInput = input;
    palette.classList.remove("hidden");
    document.body.classList.add("palette-open");  // the grid shrinks above the palette
    input.scrollIntoView({ block: "nearest" });
  }
  // Open the palette on the click that follows a touch, not on pointerup: the grid shrinks
  // when the palette opens, and a layout shift before the click would move it to another row.
  var lastPointer = "mouse";
  document.addEventListener("pointerdown", function (evt) { lastPointer = evt.pointerType; }, true);
  document.addEventListener("click", function (evt) {
    if (lastPointer === "mouse") { return; }
    var input = evt.target.closest && evt.target.closest(".cell-input");
    if (input) {
      input.setAttribute("inputmode", "none");  // no on-screen keyboard over the grid
      showPalette(input);
    }
  });
  // How the server reads a cell (domain/cell.py): a notation as a whole token first, then marks,
  // then a notation glued to marks only when the rest is marks, so «незач» is a mark and never
  // «н» + «езач». The palette splits the cell the same way before it adds or replaces a part.
  var reading = { notations: [], marks: [], digits: false };
  try { reading = JSON.parse(palette.getAttribute("data-reading")) || reading; } catch (e) { /* no palette */ }
  var byLength = reading.notations.slice().sort(function (a, b) { return b.length - a.length; });
  function isMarks(token) {
    if (reading.marks.indexOf(token) >= 0) { return true; }
    return reading.digits && token.length > 1 &&
      token.split("").every(function (d) { return reading.marks.indexOf(d) >= 0; });
  }
  function splitCell(text) {
    var value = text.trim();
    var first = value.split(/[\s\/,]+/)[0];
    var lower = first.toLowerCase();
    if (first && reading.notations.indexOf(lower) >= 0) {
      return { att: first, marks: value.slice(first.length).replace(/^[\s\/,]+/, "") };
    }
    if (first && !isMarks(lower)) {
      for (var i = 0; i < byLength.length; i++) {
        var n = byLength[i];
        if (lower.indexOf(n) === 0 && isMarks(lower.slice(n.length))) {
          return { att: first.slice(0, n.length), marks: value.slice(n.length) };
        }
      }
    }
    return { att: "", marks: value };
  }
  function commit(input, value) {
    input.value = value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  if (palette) {
    palette.addEventListener("click", function (evt) {
      var btn = evt.target.closest("button");
      if (!btn || !activeInput) { return; }
      var input = activeInput;
      var current = input.value.trim();
      var action = btn.getAttribute("data-action");
      if (action === "close") {
        palette.classList.add("hidden");
        document.body.classList.remove("palette-open");
        input.removeAttribute("inputmode");
        return;
      }
      if (action === "add") { addMode = !addMode; btn.classList.toggle("active", addMode); return; }
      if (action === "clear") { commit(input, ""); return; }
      if (action === "history") {
        var td = input.closest("td");
        var parts = td.id.split("-");  // c-<lesson>-<student>
        htmx.ajax("GET", "/journal/lessons/" + parts[1] + "/cells/" + parts[2] + "/history", { target: "#history-body" })
          .then(function () { document.getElementById("history-dialog").showModal(); });
        return;
      }
      var mark = btn.getAttribute("data-value");
      var att = btn.getAttribute("data-att");
      var parts = splitCell(current);
      var prefix = parts.att;
      var marks = parts.marks;
      if (mark) {
        var value = addMode && marks ? marks + "/" + mark : mark;
        commit(input, (prefix ? prefix + " " : "") + value);
        addMode = false;
        palette.querySelectorAll(".active").forEach(function (b) { b.classList.remove("active"); });
      } else if (att) {
        commit(input, prefix.toLowerCase() === att.toLowerCase() ? marks : (att + (marks ? " " + marks : "")));
      }
      var next = cellAt(input, 1, 0);
      if (next) {
        next.setAttribute("inputmode", "none");
        next.focus();
        next.scrollIntoView({ block: "nearest" });
        activeInput = next;
      }
    });
  }

  saveOutbox();
  retryOutbox();
})();
