// Keeps the editor's unsaved article form on the server while they type
// (every 30 s, and by beacon when they leave the page), and offers it back on
// return. See articles/admin/autosave.py; messages come translated from the
// template's data attributes.
(function () {
  "use strict";
  var box = document.getElementById("autosave");
  var form = document.getElementById("article_form");
  if (!box || !form || !box.dataset.url) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  // Carried by the form itself, never autosaved or restored.
  var SKIP = ["csrfmiddlewaretoken", "loaded_version", "autosave_draft"];
  var dirty = false;
  var leaving = false;

  function newDraftKey() {
    return window.crypto && crypto.randomUUID
      ? crypto.randomUUID()
      : String(Date.now()) + "-" + String(Math.random()).slice(2, 12);
  }

  // A new article is keyed by an id made here, posted with the form so the
  // save drops its autosave.
  var draft = null;
  if (!box.dataset.version) {
    draft = document.createElement("input");
    draft.type = "hidden";
    draft.name = "autosave_draft";
    draft.value = box.dataset.draft || newDraftKey();
    form.append(draft);
  }

  function editors() {
    return window.CKEDITOR ? window.CKEDITOR.instances : {};
  }

  function skipped(field) {
    // "__prefix__": the hidden template rows "Add another" copies.
    return !field.name || field.disabled || SKIP.indexOf(field.name) !== -1 ||
      field.name.indexOf("__prefix__") !== -1 ||
      ["file", "submit", "button", "reset", "hidden"].indexOf(field.type) !== -1;
  }

  function serialise() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (skipped(field)) {
        return;
      }
      if (field.type === "checkbox") {
        data[field.name] = field.checked;
      } else if (field.type === "radio") {
        if (field.checked) {
          data[field.name] = field.value;
        }
      } else if (field.tagName === "SELECT") {
        // Value and label: an autocomplete select has no option to show
        // until one is chosen.
        data[field.name] = Array.prototype.map.call(
          field.selectedOptions, function (option) {
            return [option.value, option.text];
          });
      } else if (field.id && editors()[field.id]) {
        data[field.name] = editors()[field.id].getData();
      } else {
        data[field.name] = field.value;
      }
    });
    return data;
  }

  function restore(data) {
    Object.keys(data).forEach(function (name) {
      var value = data[name];
      form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach(
        function (field) {
          if (skipped(field)) {
            return;
          }
          if (field.type === "checkbox") {
            field.checked = Boolean(value);
          } else if (field.type === "radio") {
            field.checked = field.value === value;
          } else if (field.tagName === "SELECT") {
            var chosen = (value || []).map(function (pair) { return pair[0]; });
            (value || []).forEach(function (pair) {
              if (!Array.prototype.some.call(field.options, function (option) {
                return option.value === pair[0];
              })) {
                field.append(new Option(pair[1], pair[0]));
              }
            });
            Array.prototype.forEach.call(field.options, function (option) {
              option.selected = chosen.indexOf(option.value) !== -1;
            });
          } else if (field.id && editors()[field.id]) {
            editors()[field.id].setData(value);
          } else {
            field.value = value;
          }
          field.dispatchEvent(new Event("change", {bubbles: true}));
        });
    });
    if (window.django && window.django.jQuery) {
      // Select2 widgets redraw from their select on jQuery's change event.
      window.django.jQuery("select.admin-autocomplete").trigger("change");
    }
    dirty = true;
  }

  function payload(extra) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token ? token.value : "");
    body.append("version", box.dataset.version || "");
    if (draft) {
      body.append("draft", draft.value);
    }
    Object.keys(extra).forEach(function (key) { body.append(key, extra[key]); });
    return body;
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save() {
    if (!dirty || leaving) {
      return Promise.resolve(null);
    }
    dirty = false;
    return fetch(box.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : ""},
      body: payload({data: JSON.stringify(serialise())}),
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            // Too large stays too large; anything else is tried again.
            dirty = response.status !== 413;
            say(answer.error || box.dataset.failed);
            return answer;
          }
          say(answer.message + (answer.stale ? " " + box.dataset.stale : ""));
          return answer;
        });
      })
      .catch(function () {
        dirty = true;
        say(box.dataset.failed);
      });
  }

  function beacon() {
    if (dirty && !leaving && navigator.sendBeacon) {
      dirty = false;
      navigator.sendBeacon(
        box.dataset.url, payload({data: JSON.stringify(serialise())}));
    }
  }

  function markDirty() {
    dirty = true;
  }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  if (window.CKEDITOR) {
    Object.keys(editors()).forEach(function (id) {
      editors()[id].on("change", markDirty);
    });
    window.CKEDITOR.on("instanceCreated", function (event) {
      event.editor.on("change", markDirty);
    });
  }
  // Saving the form supersedes the autosave: nothing more is sent.
  form.addEventListener("submit", function () {
    leaving = true;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      beacon();
    }
  });
  window.addEventListener("pagehide", beacon);
  window.setInterval(save, (Number(box.dataset.interval) || 30) * 1000);

  var offer = document.getElementById("autosave-offer");
  var offered = document.getElementById("autosave-data");
  if (offer && offered) {
    offer.addEventListener("click", function (event) {
      var choice = event.target.dataset.autosave;
      if (!choice) {
        return;
      }
      if (draft && offer.dataset.draft) {
        draft.value = offer.dataset.draft;
      }
      if (choice === "restore") {
        restore(JSON.parse(offered.textContent));
        say(box.dataset.restored);
      } else {
        fetch(box.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: {"X-CSRFToken": token ? token.value : ""},
          body: payload({discard: "1"}),
        });
        if (draft) {
          draft.value = newDraftKey();
        }
      }
      offer.remove();
    });
  }

  // For browser tests and a "save now" elsewhere: autosave at once.
  window.newsroomAutosave = {
    save: function () {
      dirty = true;
      return save();
    },
  };
})();
