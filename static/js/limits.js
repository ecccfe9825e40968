// Length limits that tell, never cut (core/limits.py). Fields rendered with
// data-maxlength keep everything typed or pasted; near the limit a counter
// shows how much room is left, and past it a message says by how much, so
// nothing is cut without a word. The server refuses an over-long value in
// any case; this only tells the person sooner.
(function () {
  "use strict";

  var NEAR = 0.8; // the counter appears at 80 % of the limit

  function length(text) {
    return Array.from(text).length; // characters, as the server counts them
  }

  function watch(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!limit || field.type === "hidden") {
      return;
    }
    var note = document.createElement("span");
    note.className = "char-count";
    note.setAttribute("aria-live", "polite");
    note.hidden = true;
    field.after(note);
    var template = field.getAttribute("data-maxlength-over") || "%(count)s / %(limit)s";

    function update() {
      var count = length(field.value);
      var over = count > limit;
      note.hidden = count < limit * NEAR;
      note.classList.toggle("char-count-over", over);
      note.textContent = over
        ? template.replace("%(count)s", count).replace("%(limit)s", limit)
        : count + " / " + limit;
      if (over) {
        field.setAttribute("aria-invalid", "true");
      } else if (field.getAttribute("aria-invalid") === "true" && !field.closest(".errors, .field-invalid")) {
        field.removeAttribute("aria-invalid");
      }
    }

    field.addEventListener("input", update);
    update();
  }

  function start() {
    document.querySelectorAll("input[data-maxlength], textarea[data-maxlength]").forEach(watch);
  }

  // Admin inlines add rows after the page opened: watch those too.
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("input[data-maxlength], textarea[data-maxlength]").forEach(watch);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
