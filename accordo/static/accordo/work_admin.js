// Work administration: a rule form shows only the fields of the chosen action (the server checks anyway).
(function () {
  function sync(form) {
    var select = form.querySelector("select[name=action]");
    if (!select) return;
    form.querySelectorAll("[data-for-action]").forEach(function (block) {
      block.hidden = block.getAttribute("data-for-action") !== select.value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-rule-form]").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "action") sync(form);
      });
    });
  });
})();
