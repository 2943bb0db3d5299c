// Small progressive enhancements; no inline scripts anywhere (strict CSP).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Upload widget (data-upload): drop or pick many files; each goes up in its own request with a
// progress bar. Files over the limit are refused here before any transfer; the server checks too.
(function () {
  function row(list, name) {
    var li = document.createElement("li");
    var label = document.createElement("span");
    label.className = "upload-name";
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", name);
    var note = document.createElement("span");
    note.className = "upload-note";
    li.appendChild(label);
    li.appendChild(bar);
    li.appendChild(note);
    list.appendChild(li);
    return { li: li, bar: bar, note: note };
  }

  function send(box, file, done) {
    var list = box.querySelector(".upload-list");
    var r = row(list, file.name);
    var max = parseInt(box.getAttribute("data-max-bytes"), 10);
    if (file.size > max) {
      r.li.classList.add("upload-error");
      r.bar.remove();
      r.note.textContent = box.getAttribute("data-too-large");
      done(false);
      return;
    }
    var form = box.querySelector("form");
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("size", String(file.size));
    box.querySelectorAll("[data-upload-extra]").forEach(function (field) {
      if (field.name && (field.type !== "checkbox" || field.checked)) data.append(field.name, field.value);
    });
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) r.bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = {}; }
      if (xhr.status >= 200 && xhr.status < 300 && answer.ok !== false) {
        r.bar.value = 100;
        r.li.classList.add("upload-done");
        r.note.textContent = box.getAttribute("data-done");
        done(true);
      } else {
        r.li.classList.add("upload-error");
        r.note.textContent = answer.error || box.getAttribute("data-failed");
        done(false);
      }
    });
    xhr.addEventListener("error", function () {
      r.li.classList.add("upload-error");
      r.note.textContent = box.getAttribute("data-failed");
      done(false);
    });
    xhr.send(data);
  }

  function start(box, files) {
    var left = files.length;
    var good = 0;
    if (!left) return;
    Array.prototype.forEach.call(files, function (file) {
      send(box, file, function (ok) {
        if (ok) good += 1;
        left -= 1;
        if (left === 0 && good > 0 && box.hasAttribute("data-reload")) {
          window.setTimeout(function () { window.location.reload(); }, 600);
        }
      });
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    var box = input.closest && input.closest("[data-upload]");
    if (!box || input.type !== "file") return;
    start(box, input.files);
    input.value = "";
  });
  document.addEventListener("submit", function (event) {
    var box = event.target.closest && event.target.closest("[data-upload]");
    if (box) event.preventDefault();  // with JavaScript, files go up as soon as they are chosen
  });
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var box = event.target.closest && event.target.closest("[data-upload]");
      if (!box) return;
      event.preventDefault();
      box.classList.add("dragging");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var box = event.target.closest && event.target.closest("[data-upload]");
    if (box) box.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    var box = event.target.closest && event.target.closest("[data-upload]");
    if (!box) return;
    event.preventDefault();
    box.classList.remove("dragging");
    start(box, event.dataTransfer.files);
  });
})();

// A form with files (data-progress-form) goes up in one request with a progress bar; the answer
// (the next page after a redirect, or the form again with its errors) replaces this page.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-progress-form")) return;
    var chosen = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
    var bar = form.querySelector("progress[data-progress]");
    if (!chosen || !bar || !window.FormData) return;  // nothing to show: an ordinary submit
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open(form.method || "POST", form.action || window.location.href);
    bar.hidden = false;
    bar.value = 0;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    xhr.addEventListener("load", function () {
      bar.value = 100;
      if (xhr.responseURL && xhr.responseURL !== (form.action || window.location.href) && xhr.status < 400) {
        window.location.assign(xhr.responseURL);
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      bar.hidden = true;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
      var note = form.querySelector("[data-progress-failed]");
      if (note) note.hidden = false;
    });
    xhr.send(new FormData(form));
  });
})();
