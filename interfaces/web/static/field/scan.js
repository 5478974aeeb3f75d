// Jaga Lapangan: reads a site poster's QR code with the camera where the browser has
// a barcode reader (BarcodeDetector); elsewhere the officer picks the site from a list.
var Scan = (function () {
  "use strict";

  function available() {
    return "BarcodeDetector" in window && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  // The site id a poster's QR code names: ".../lapangan?site=<id>".
  function siteOf(text) {
    try {
      var url = new URL(text, location.href);
      return url.searchParams.get("site");
    } catch (e) {
      return null;
    }
  }

  // Shows the camera in `holder`; resolves with a site id, or null when stopped.
  function site(holder) {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.className = "camera";
    holder.appendChild(video);
    return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        return video.play().then(function () {
          return new Promise(function (resolve) {
            var stop = function (value) {
              stream.getTracks().forEach(function (track) { track.stop(); });
              video.remove();
              resolve(value);
            };
            holder.stopScan = function () { stop(null); };
            var look = function () {
              if (!video.isConnected) { return; }
              detector.detect(video).then(function (codes) {
                var found = codes.map(function (c) { return siteOf(c.rawValue); })
                  .filter(Boolean)[0];
                if (found) { stop(found); } else { requestAnimationFrame(look); }
              }, function () { requestAnimationFrame(look); });
            };
            look();
          });
        });
      });
  }

  return { available: available, site: site, siteOf: siteOf };
}());
