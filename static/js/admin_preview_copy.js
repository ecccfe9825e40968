// Copy buttons beside the preview addresses in the article admin. The Clipboard
// API where the browser allows it; otherwise the address is selected, so the
// editor copies it with the keyboard. Without JavaScript the buttons stay
// hidden and the read-only field can be copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.dataset.copyTarget);
    var status = button.parentNode.querySelector(".copy-status");
    var say = function (text) {
      if (status) {
        status.textContent = text;
      }
    };
    var selectIt = function () {
      field.focus();
      field.select();
      say(button.dataset.selected);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say(button.dataset.copied);
      }, selectIt);
    } else {
      selectIt();
    }
  });
})();
