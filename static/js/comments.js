// The comment section's small enhancements. Everything works without them:
// reply and report links open their own pages, and the form posts as is.
//
// The article page is the same HTML for every reader (it may be cached), so
// what is personal comes from the reader's uncached endpoint, and only when
// needed: the CSRF token when a form is sent, and the reader's own held
// comments when this browser has posted some (the newsroom_commented cookie).
(function () {
  "use strict";

  var root = document.getElementById("comments");
  if (!root) {
    return;
  }
  var readerUrl = root.getAttribute("data-reader-url");
  var statePromise = null;

  function loadState() {
    if (!statePromise) {
      statePromise = fetch(readerUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("reader state " + response.status);
        }
        return response.json();
      });
    }
    return statePromise;
  }

  function pageToken() {
    var inputs = document.querySelectorAll("input[name=csrfmiddlewaretoken]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value) {
        return inputs[i].value;
      }
    }
    return "";
  }

  function token() {
    var known = pageToken();
    if (known || !readerUrl) {
      return Promise.resolve(known);
    }
    return loadState().then(function (state) {
      document.querySelectorAll("input[data-csrf]").forEach(function (input) {
        input.value = state.csrfToken;
      });
      return state.csrfToken;
    });
  }

  // The reader's name and email, kept on this device only if they tick the
  // box, and put back into the form (which is also the reply form) when the
  // page opens. The cached page itself never carries them.
  var REMEMBER_KEY = "newsroom.commenter";

  function remember(commentForm) {
    var box = commentForm.querySelector("[data-remember-box]");
    var name = commentForm.querySelector("input[name=name]");
    var email = commentForm.querySelector("input[name=email]");
    if (!box || !name || !email) {
      return;
    }
    var saved = null;
    try {
      saved = JSON.parse(window.localStorage.getItem(REMEMBER_KEY) || "null");
    } catch (error) {
      return; // storage refused (private mode, blocked): no box, nothing kept
    }
    commentForm.querySelector("[data-remember]").hidden = false;
    if (saved) {
      name.value = name.value || saved.name || "";
      email.value = email.value || saved.email || "";
      box.checked = true;
    }
    commentForm.addEventListener("submit", function () {
      try {
        if (box.checked) {
          window.localStorage.setItem(
            REMEMBER_KEY, JSON.stringify({ name: name.value, email: email.value })
          );
        } else {
          window.localStorage.removeItem(REMEMBER_KEY);
        }
      } catch (error) {
        // Nothing kept; the comment is posted all the same.
      }
    });
  }

  // The comment form: tell the server a script is here (it then sends the
  // reader back to the article, where this script shows a held comment),
  // and fill in the token before the form goes.
  var form = root.querySelector("[data-comment-form]") ||
    document.querySelector("[data-comment-form]");
  if (form) {
    form.querySelector("[data-js]").value = "1";
    remember(form);
    form.addEventListener("submit", function (event) {
      var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (csrf.value) {
        return;
      }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      token().catch(function () {
        return "";
      }).then(function (value) {
        csrf.value = value;
        button.disabled = false;
        form.submit();
      });
    });
  }

  // Replies: the same form moves under the comment being answered.
  var respond = document.querySelector("[data-respond]");
  var respondHome = respond ? document.createComment("respond") : null;
  if (respond) {
    respond.parentNode.insertBefore(respondHome, respond);
  }

  function replyTo(link) {
    var item = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
    if (!respond || !item) {
      return false;
    }
    var title = respond.querySelector("[data-respond-title]");
    title.textContent = title.getAttribute("data-reply-title").replace(
      "%s", link.getAttribute("data-reply-name")
    );
    respond.querySelector("[data-parent]").value = link.getAttribute("data-reply-to");
    respond.querySelector("[data-cancel-reply]").hidden = false;
    item.querySelector(".comment-box").after(respond);
    respond.querySelector("textarea").focus();
    return true;
  }

  function cancelReply() {
    var title = respond.querySelector("[data-respond-title]");
    title.textContent = title.getAttribute("data-default-title");
    respond.querySelector("[data-parent]").value = "";
    respond.querySelector("[data-cancel-reply]").hidden = true;
    respondHome.after(respond);
  }

  // Reports: a small form under the comment, sent in the background.
  var reportTemplate = document.getElementById("comment-report-template");

  function openReport(link) {
    var id = link.getAttribute("data-report");
    var item = document.getElementById("comment-" + id);
    if (!reportTemplate || !item) {
      return false;
    }
    var existing = item.querySelector("[data-report-form]");
    if (existing) {
      existing.querySelector("input").focus();
      return true;
    }
    var reportForm = reportTemplate.content.firstElementChild.cloneNode(true);
    reportForm.action = link.href;
    reportForm.querySelectorAll("[id]").forEach(function (element) {
      element.id = element.id.replace(/^report_/, "report_" + id + "_");
    });
    reportForm.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = label.htmlFor.replace(/^report_/, "report_" + id + "_");
    });
    reportForm.addEventListener("submit", sendReport);
    link.closest(".comment-actions").after(reportForm);
    reportForm.querySelector("input[type=radio]").focus();
    return true;
  }

  function sendReport(event) {
    var reportForm = event.target;
    event.preventDefault();
    var button = reportForm.querySelector("button[type=submit]");
    button.disabled = true;
    token().then(function (value) {
      reportForm.querySelector("input[name=csrfmiddlewaretoken]").value = value;
      return fetch(reportForm.action, {
        method: "POST",
        body: new FormData(reportForm),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": value },
      });
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      var note = document.createElement("p");
      note.className = data.ok ? "form-note" : "form-problem";
      note.setAttribute("role", "status");
      note.textContent = data.message;
      reportForm.replaceWith(note);
    }).catch(function () {
      // Fall back to the report page, which works without this script.
      reportForm.removeEventListener("submit", sendReport);
      reportForm.submit();
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to], a[data-report], [data-cancel-reply]");
    if (!link) {
      return;
    }
    if (link.hasAttribute("data-cancel-reply")) {
      cancelReply();
      event.preventDefault();
    } else if (link.hasAttribute("data-reply-to")) {
      if (replyTo(link)) {
        event.preventDefault();
      }
    } else if (openReport(link)) {
      event.preventDefault();
    }
  });

  // The reader's own comments that the cached page cannot show: held ones,
  // marked "awaiting moderation", in place under the comment they answer.
  function showOwn(state) {
    var list = root.querySelector("[data-comment-list]");
    state.comments.forEach(function (entry) {
      if (document.getElementById("comment-" + entry.id)) {
        return;
      }
      var holder = document.createElement("template");
      holder.innerHTML = entry.html.trim();
      var item = holder.content.firstElementChild;
      var parent = entry.parent && document.getElementById("comment-" + entry.parent);
      if (parent) {
        var replies = parent.querySelector(":scope > .comment-replies");
        if (!replies) {
          replies = document.createElement("ol");
          replies.className = "comment-replies";
          parent.appendChild(replies);
        }
        replies.appendChild(item);
      } else if (list) {
        list.appendChild(item);
      }
      var empty = root.querySelector("[data-comments-empty]");
      if (empty) {
        empty.remove();
      }
    });
    if (location.hash) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) {
        target.scrollIntoView();
        target.classList.add("comment-target");
      }
    }
  }

  if (readerUrl && /(?:^|;\s*)newsroom_commented=/.test(document.cookie)) {
    loadState().then(showOwn).catch(function () {});
  }
})();
