// Tells the server this editor has the article open, and shows who else does.
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box || !box.dataset.url) {
    return;
  }
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  function beat() {
    fetch(box.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : ""},
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        box.textContent = "";
        if (data.others.length) {
          box.append("Also open by: ");
          data.others.forEach(function (other, index) {
            var name = document.createElement("strong");
            name.textContent = other.name;
            box.append(name);
            if (index < data.others.length - 1) {
              box.append(", ");
            }
          });
        }
      })
      .catch(function () {});
  }
  beat();
  window.setInterval(beat, 30000);
})();
