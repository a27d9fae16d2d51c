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
    if (el.dataset.reason) { evt.detail.parameters.reason = el.dataset.reason; }
  });

  // --- A change after its deadline asks why (428): a dialog, then the same save again ------
  var reasonFor = null;
  function askReason(el) {
    var dialog = document.getElementById("reason-dialog");
    if (!dialog) { toast("Укажите причину изменения после срока."); return; }
    reasonFor = el;
    document.getElementById("reason-cell").textContent = el.getAttribute("aria-label") + ": «" + el.value + "»";
    document.getElementById("reason-text").value = "";
    dialog.showModal();
  }
  var reasonDialog = document.getElementById("reason-dialog");
  if (reasonDialog) {
    reasonDialog.addEventListener("close", function () {
      var el = reasonFor;
      reasonFor = null;
      if (!el) { return; }
      var text = document.getElementById("reason-text").value.trim();
      if (reasonDialog.returnValue === "send" && text) {
        el.dataset.reason = text;
        htmx.trigger(el, "change");
      } else {
        el.value = el.dataset.saved || "";
        cancelRefused(el);
        toast("Изменение не сохранено: после срока нужна причина.");
      }
    });
  }

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
    if (status === 428) {
      evt.detail.shouldSwap = false;
      evt.detail.isError = false;
      askReason(el);
    } else if (status === 400 || status === 409) {
      // The server answers with the cell as stored and a message: show both. A refused value
      // (400) stays typed in the cell until corrected or cancelled (Esc restores the stored one).
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
      if (status === 400) { refusedText[el.closest("td").id] = el.value; }
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
      td = document.getElementById(td.id) || td;  // an outerHTML swap: the new cell
      var msg = td.getAttribute("data-message");
      var typed = refusedText[td.id];
      delete refusedText[td.id];
      var input = td.querySelector(".cell-input");
      if (msg && typed !== undefined && input) { input.value = typed; }
      if (msg) { toast(msg); showBubble(td); } else { td.classList.add("cell-saved"); hideBubble(td.id); }
      dropFromOutbox(td.id);
    }
  });

  // --- The reason of a refused value, in a bubble next to its cell (inside the viewport) ---
  var refusedText = {};  // cell id -> the text typed when the server refused it
  var bubble = document.createElement("div");
  bubble.className = "cell-bubble hidden";
  bubble.setAttribute("role", "alert");
  bubble.id = "cell-bubble";
  document.body.appendChild(bubble);
  var bubbleFor = null;
  function placeBubble() {
    var td = bubbleFor && document.getElementById(bubbleFor);
    // data-message, not the class: htmx settles the class of a swapped cell a moment later.
    if (!td || !td.getAttribute("data-message")) { bubble.classList.add("hidden"); return; }
    var r = td.getBoundingClientRect();
    var vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
    if (r.bottom < 0 || r.top > vh || r.right < 0 || r.left > vw) { bubble.classList.add("hidden"); return; }
    bubble.classList.remove("hidden");
    var w = bubble.offsetWidth, h = bubble.offsetHeight;
    var left = r.right + 6 + w <= vw ? r.right + 6 : Math.max(4, r.left - 6 - w);
    if (left < 4 || left + w > vw) { left = Math.max(4, Math.min(vw - w - 4, r.left)); }
    var top = r.top;
    if (left < r.right && left + w > r.left) { top = r.bottom + 4 + h <= vh ? r.bottom + 4 : r.top - 4 - h; }
    bubble.style.left = left + "px";
    bubble.style.top = Math.max(4, Math.min(vh - h - 4, top)) + "px";
  }
  function showBubble(td) {
    bubbleFor = td.id;
    bubble.textContent = td.getAttribute("data-message") || "";
    placeBubble();
  }
  function hideBubble(cellId) {
    if (!cellId || bubbleFor === cellId) { bubbleFor = null; bubble.classList.add("hidden"); }
  }
  window.addEventListener("resize", placeBubble);
  document.addEventListener("scroll", placeBubble, true);
  function cancelRefused(input) {
    var td = input.closest("td");
    td.classList.remove("cell-error");
    td.removeAttribute("data-message");
    hideBubble(td.id);
  }

  function queueForRetry(el) {
    var td = el.closest("td");
    td.classList.add("cell-failed");
    var base = "";
    try { base = JSON.parse(el.getAttribute("hx-vals")).base; } catch (e) { base = ""; }
    var item = { cell: td.id, url: el.getAttribute("hx-put"), value: el.value, key: el.dataset.key || newKey(), base: base,
                 reason: el.dataset.reason || "" };
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
    var body = new URLSearchParams({ value: item.value, key: item.key, base: item.base, reason: item.reason || "" });
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
        if (response.status === 428) {
          // Saved late (the network was down past the deadline): ask why, then htmx sends it again.
          var late = cell && cell.querySelector(".cell-input");
          if (late) { late.value = item.value; askReason(late); }
        } else if (response.status === 200 || response.status === 400 || response.status === 409) {
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
      case "Escape": el.value = el.dataset.saved || ""; el.select(); cancelRefused(el); break;
    }
  });
  // Typing replaces the cell, as in a spreadsheet: select on focus, and keep the selection
  // through the mouseup of the click that focused it (browsers would place a caret there).
  var justFocused = null;
  document.addEventListener("focusin", function (evt) {
    if (isCellInput(evt.target)) {
      activeInput = evt.target;
      var focusedTd = evt.target.closest("td");
      if (focusedTd.getAttribute("data-message")) { showBubble(focusedTd); }
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
  var historyCell = null;  // the cell «История» is for: the one tapped or just marked
  var pairCell = null;     // «+ ещё отметка»: the cell holding the first of two marks
  function showPalette(input) {
    if (!palette) { return; }
    var td = input.closest("td");
    if (pairCell && pairCell !== td.id) { flushPair(); }
    activeInput = input;
    historyCell = td.id;
    palette.classList.remove("hidden");
    input.scrollIntoView({ block: "nearest" });
    placePalette(input);
  }
  // Beside the cell's column when there is room (it then covers columns, not the rows the
  // cursor moves down to); else docked at the bottom with the grid shrunk above it.
  function placePalette(input) {
    var r = input.closest("td").getBoundingClientRect();
    var vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
    palette.classList.add("docked");
    var w = palette.offsetWidth, h = palette.offsetHeight;
    var left = r.right + 8 + w <= vw ? r.right + 8 : r.left - 8 - w;
    var name = document.querySelector(".jgrid tbody .name-col");
    var minLeft = name ? name.getBoundingClientRect().right : 0;
    if (left < minLeft || vw < 600) {
      palette.classList.remove("docked");
      palette.style.left = "";
      palette.style.top = "";
      document.body.classList.add("palette-open");  // the grid shrinks above the palette
      keepAbovePalette(input);
      return;
    }
    document.body.classList.remove("palette-open");
    palette.style.left = left + "px";
    palette.style.top = Math.max(4, Math.min(vh - h - 4, r.top + r.height / 2 - h / 2)) + "px";
  }
  // Docked at the bottom, the palette must not hide the cell being marked: scroll the page,
  // and the grid if the page cannot scroll further, until the cell is above it.
  function keepAbovePalette(input) {
    var td = input.closest("td");
    var over = td.getBoundingClientRect().bottom - palette.getBoundingClientRect().top + 8;
    if (over > 0) { window.scrollBy(0, over); }
    over = td.getBoundingClientRect().bottom - palette.getBoundingClientRect().top + 8;
    var gridWrap = document.getElementById("grid-wrap");
    if (over > 0 && gridWrap) { gridWrap.scrollTop += over; }
  }
  function flushPair() {
    var td = pairCell && document.getElementById(pairCell);
    pairCell = null;
    var input = td && td.querySelector(".cell-input");
    if (input && input.value !== (input.dataset.saved || "")) { commit(input, input.value); }
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
        flushPair();
        palette.classList.add("hidden");
        document.body.classList.remove("palette-open");
        input.removeAttribute("inputmode");
        return;
      }
      if (action === "add") {
        // A mode, not a single use: each student then gets two taps (the first mark stays in
        // the cell, the second one is added and the cursor moves down), no tap back needed.
        addMode = !addMode;
        btn.classList.toggle("active", addMode);
        btn.setAttribute("aria-pressed", addMode ? "true" : "false");
        if (!addMode) { flushPair(); }
        return;
      }
      if (action === "clear") { pairCell = null; commit(input, ""); return; }
      if (action === "history") {
        var td = document.getElementById(historyCell) || input.closest("td");
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
      var cellId = input.closest("td").id;
      historyCell = cellId;
      if (mark) {
        var value = addMode && marks ? marks + "/" + mark : mark;
        if (addMode && !marks) {
          // The first of two marks: held in the cell (saved with the second, or when leaving).
          input.value = (prefix ? prefix + " " : "") + value;
          pairCell = cellId;
          return;
        }
        pairCell = null;
        commit(input, (prefix ? prefix + " " : "") + value);
      } else if (att) {
        if (pairCell === cellId) { pairCell = null; }
        commit(input, prefix.toLowerCase() === att.toLowerCase() ? marks : (att + (marks ? " " + marks : "")));
      }
      var next = cellAt(input, 1, 0);
      if (next) {
        next.setAttribute("inputmode", "none");
        next.focus();
        next.scrollIntoView({ block: "nearest" });
        activeInput = next;
        placePalette(next);
      }
    });
  }

  // --- Where the grid opens: below the sticky top bar, at today's or the anchored column ---
  var topbar = document.querySelector(".topbar");
  function measureTopbar() {
    var h = topbar && getComputedStyle(topbar).position !== "static" ? topbar.offsetHeight : 0;
    document.documentElement.style.setProperty("--topbar-h", h + "px");
    return h;
  }
  var wrap = document.getElementById("grid-wrap");
  function todayColumn() {
    var table = wrap && wrap.querySelector(".jgrid");
    if (!table) { return null; }
    var today = table.getAttribute("data-today");
    var cols = table.querySelectorAll("thead .lesson-col");
    var found = null;
    for (var i = 0; i < cols.length; i++) {  // today's lesson, else the last one before today
      if (cols[i].getAttribute("data-date") <= today) { found = cols[i]; }
    }
    return found || cols[0] || null;
  }
  // Scroll the grid sideways so that the column is in view, right of the frozen names column.
  function showColumn(th) {
    if (!wrap || !th) { return; }
    var name = wrap.querySelector("thead .name-col");
    var nameW = name ? name.offsetWidth : 0;
    var x = th.getBoundingClientRect().left - wrap.getBoundingClientRect().left + wrap.scrollLeft;
    var room = wrap.clientWidth - nameW;
    wrap.scrollLeft = Math.max(0, x - nameW - Math.max(0, room - th.offsetWidth * 3));
  }
  // The date row below the top bar: the page scrolls to the grid's top edge, with the
  // «Сегодня» button above it still in view.
  function showGridTop() {
    var edge = document.querySelector(".grid-tools") || wrap;
    var top = edge.getBoundingClientRect().top + window.pageYOffset - measureTopbar() - 8;
    window.scrollTo(window.pageXOffset, Math.max(0, top));
  }
  function openAtColumn() {
    if (!wrap) { return; }
    measureTopbar();
    var anchored = /^#lesson-\d+$/.test(location.hash) && document.getElementById(location.hash.slice(1));
    showColumn(anchored || todayColumn());
    if (anchored) { showGridTop(); }
  }
  var todayButton = document.getElementById("grid-today");
  if (todayButton) {
    todayButton.addEventListener("click", function () { showColumn(todayColumn()); showGridTop(); });
  }
  window.addEventListener("resize", measureTopbar);
  openAtColumn();
  // The browser's own jump to the anchor may come after this script: correct it once more.
  window.addEventListener("load", openAtColumn);
  window.addEventListener("hashchange", openAtColumn);

  saveOutbox();
  retryOutbox();
})();
