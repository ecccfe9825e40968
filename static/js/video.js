// Privacy-friendly video: the page shows a poster that links to the video.
// Only when the reader presses it does the provider's no-cookie player load.
(function () {
  "use strict";
  document.querySelectorAll("figure.video[data-embed-url]").forEach(function (figure) {
    var poster = figure.querySelector(".video-poster");
    if (!poster) {
      return;
    }
    poster.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.src = figure.dataset.embedUrl;
      frame.title = figure.dataset.title || "";
      frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      frame.className = "video-frame";
      poster.replaceWith(frame);
      frame.focus();
    });
  });
})();
