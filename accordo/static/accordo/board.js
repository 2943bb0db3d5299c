// The planning board: move cards by drag and drop, by the card's "Move to" form, or with Alt+arrow
// keys on a focused card. Every move posts the card's own form (which also works without this
// script) with fetch, asking for JSON; the card then moves, the counts change and the move is
// announced in the page's live region. A refused move (409: changed in the meantime) is announced too.
(function () {
  "use strict";

  function board() {
    return document.querySelector("[data-board]");
  }

  function announce(text) {
    var live = document.getElementById("board-live");
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function column(status) {
    return document.querySelector('[data-column="' + status + '"]');
  }

  function bump(status, delta) {
    var col = column(status);
    var count = col ? col.querySelector("[data-count]") : null;
    if (!count && col && col.classList.contains("board-column-single")) count = document.querySelector("h1 [data-count]");
    if (count) count.textContent = String(Math.max(0, parseInt(count.textContent, 10) + delta));
  }

  function place(card, status) {
    var col = column(status);
    if (!col) {
      card.remove();
      return;
    }
    var list = col.querySelector("[data-dropzone]");
    var due = card.getAttribute("data-due") || "9999-99-99";
    var before = null;
    list.querySelectorAll(".board-card").forEach(function (other) {
      if (before || other === card) return;
      if ((other.getAttribute("data-due") || "9999-99-99") > due) before = other;
    });
    list.insertBefore(card, before);
    var empty = col.querySelector(".board-empty");
    if (empty) empty.remove();
  }

  // A refused move (changed in the meantime, or the network): said aloud and shown on the card.
  function refused(card, text) {
    var note = card.querySelector(".board-card-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "board-card-error error";
      card.insertBefore(note, card.querySelector("form"));
    }
    note.textContent = text;
    announce(text);
  }

  function move(card, status) {
    var form = card.querySelector("form[data-board-move]");
    var old = card.getAttribute("data-status");
    if (!form || status === old) return;
    var data = new FormData(form);
    data.set("status", status);
    data.set("seen", old);
    card.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": data.get("csrfmiddlewaretoken") },
    }).then(function (response) {
      return response.json().then(function (answer) { return { response: response, answer: answer }; });
    }).then(function (result) {
      card.removeAttribute("aria-busy");
      if (!result.response.ok || !result.answer.ok) {
        refused(card, result.answer.error || board().getAttribute("data-failed"));
        return;
      }
      var shown = card.querySelector(".board-card-error");
      if (shown) shown.remove();
      card.setAttribute("data-status", status);
      form.querySelector("[name=seen]").value = status;
      form.querySelector("[name=status]").value = status;
      bump(old, -1);
      bump(status, 1);
      place(card, status);
      if (document.body.contains(card)) card.focus();
      announce(result.answer.message);
    }).catch(function () {
      card.removeAttribute("aria-busy");
      refused(card, board().getAttribute("data-failed"));
    });
  }

  function statuses() {
    return Array.prototype.map.call(document.querySelectorAll("[data-column]"), function (col) {
      return col.getAttribute("data-column");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-board-move]") || !window.fetch) return;
    event.preventDefault();
    move(form.closest(".board-card"), form.querySelector("[name=status]").value);
  });

  document.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!event.altKey || !card.classList || !card.classList.contains("board-card")) return;
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    var order = statuses();
    var options = Array.prototype.map.call(card.querySelectorAll("select[name=status] option"), function (o) {
      return o.value;
    });
    if (order.length < 2) order = options;
    var at = order.indexOf(card.getAttribute("data-status"));
    var next = order[at + (event.key === "ArrowRight" ? 1 : -1)];
    event.preventDefault();
    if (next) move(card, next);
  });

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".board-card") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var col = event.target.closest ? event.target.closest("[data-column]") : null;
    if (!col || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".drop-target").forEach(function (el) {
      if (el !== col) el.classList.remove("drop-target");
    });
    col.classList.add("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var col = event.target.closest ? event.target.closest("[data-column]") : null;
    if (!col || !dragged) return;
    event.preventDefault();
    col.classList.remove("drop-target");
    move(dragged, col.getAttribute("data-column"));
  });
})();
