// The execution probe, run in every frame before the page's own scripts.
//
// It records, in window.__xss.hits:
// - calls of alert, confirm, prompt and print (what most payloads call);
// - every Content-Security-Policy violation the report-only policy raises
//   (any inline script, event handler, javascript: URL, eval or foreign
//   script that runs or tries to);
// and exposes window.__xss.fire(), which fires the events handler-based
// payloads wait for on every element, and window.__xss.report(), which
// returns the hits and audits the DOM for anything that could run script:
// on* attributes, script URLs, foreign scripts, embedded documents, <base>,
// meta refresh.
//
// CKEditor 4 draws its toolbar with inline handlers of its own; those are
// the editor's chrome, not content, and are left out by one narrow rule: an
// element inside CKEditor's chrome (class "cke_*" outside the editing area).
// Likewise the load-detection script it writes into its editing frame.
(() => {
  if (window.__xss) {
    return;
  }
  const hits = [];
  const state = { hits };
  Object.defineProperty(window, "__xss", { value: state });

  const record = (kind, detail) => {
    hits.push({ kind, detail: String(detail).slice(0, 300), url: location.href });
  };

  for (const name of ["alert", "confirm", "prompt", "print"]) {
    const hook = function (message) {
      record(name, message);
    };
    try {
      Object.defineProperty(window, name, { value: hook, writable: false });
    } catch (error) {
      window[name] = hook;
    }
  }

  const inEditorChrome = (node) =>
    node instanceof Element &&
    node.closest("[class^='cke_'], [class*=' cke_'], .cke") !== null &&
    node.closest(".cke_editable") === null;

  document.addEventListener(
    "securitypolicyviolation",
    (event) => {
      if (inEditorChrome(event.target)) {
        return;
      }
      record(
        "csp",
        `${event.effectiveDirective} ${event.blockedURI} ${event.sample || ""}`
      );
    },
    true
  );

  // What the browser itself makes of a URL attribute: a script scheme, or
  // a data: document.
  const runsScript = (value) => {
    let url;
    try {
      url = new URL(value, location.href);
    } catch (error) {
      return false;
    }
    const scheme = url.protocol.toLowerCase();
    if (scheme === "javascript:" || scheme === "vbscript:") {
      return true;
    }
    return scheme === "data:" && /^(text\/html|image\/svg|application\/xhtml)/i.test(url.pathname);
  };
  const URL_ATTRIBUTES = [
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
    "srcset",
    "lowsrc",
    "dynsrc",
    "ping",
  ];
  const EVENTS = [
    "focus",
    "focusin",
    "blur",
    "mouseover",
    "mouseenter",
    "mouseout",
    "mousemove",
    "pointerover",
    "pointerenter",
    "keydown",
    "input",
    "change",
    "toggle",
    "load",
    "error",
    "animationstart",
    "transitionend",
    "scroll",
    "wheel",
    "copy",
    "paste",
  ];

  // The site's own script files, and the admin's translation catalogue.
  const ownScript = (src) => {
    const url = new URL(src, location.href);
    return (
      url.origin === location.origin &&
      (url.pathname.startsWith("/static/") || url.pathname === "/admin/jsi18n/")
    );
  };

  const audit = () => {
    const problems = [];
    for (const element of document.querySelectorAll("*")) {
      if (inEditorChrome(element)) {
        continue;
      }
      const tag = element.localName;
      for (const attribute of element.attributes) {
        const name = attribute.name.toLowerCase();
        if (name.startsWith("on")) {
          problems.push(`${tag}[${name}]`);
        } else if (name === "srcdoc") {
          problems.push(`${tag}[srcdoc]`);
        } else if (URL_ATTRIBUTES.includes(name) && runsScript(attribute.value)) {
          problems.push(`${tag}[${name}=${attribute.value.slice(0, 60)}]`);
        } else if (name === "style" && /expression\(|javascript:|behavior:/i.test(attribute.value)) {
          problems.push(`${tag}[style=${attribute.value.slice(0, 60)}]`);
        }
      }
      if (tag === "script") {
        const type = (element.type || "").toLowerCase();
        const src = element.getAttribute("src");
        const ownFile = src !== null && ownScript(src);
        if (!ownFile && type !== "application/ld+json" && !editorLoadScript(element)) {
          problems.push(`script ${src || element.textContent.slice(0, 60)}`);
        }
      } else if (["iframe", "frame", "object", "embed", "applet", "base", "portal"].includes(tag)) {
        if (!(tag === "iframe" && inEditorFrame(element))) {
          problems.push(tag);
        }
      } else if (tag === "meta" && (element.httpEquiv || "").toLowerCase() === "refresh") {
        problems.push("meta refresh");
      } else if (tag === "form" && element.action && new URL(element.action, location.href).origin !== location.origin) {
        problems.push(`form action=${element.action.slice(0, 60)}`);
      }
    }
    return problems;
  };

  // CKEditor writes a temporary script of its own into its editing frame to
  // learn when the frame has loaded, and removes it afterwards.
  const editorLoadScript = (element) =>
    element.id === "cke_actscrpt" &&
    window.frameElement !== null &&
    window.frameElement.classList.contains("cke_wysiwyg_frame");

  // CKEditor's editing area is an iframe it creates itself, inside its chrome.
  const inEditorFrame = (element) =>
    element.classList.contains("cke_wysiwyg_frame") && element.closest(".cke") !== null;

  const fire = () => {
    for (const element of document.querySelectorAll("*")) {
      if (inEditorChrome(element)) {
        continue;
      }
      for (const type of EVENTS) {
        element.dispatchEvent(new Event(type, { bubbles: false }));
      }
    }
  };

  state.fire = fire;
  state.report = () => ({ hits: hits.slice(), problems: audit() });
})();
