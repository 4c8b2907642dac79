// The camera: the rear camera through getUserMedia, QR codes decoded by the browser's
// BarcodeDetector where it exists, else by the vendored jsQR (vendor/jsQR.js, Apache-2.0),
// loaded only when needed.

let jsQRLoading = null;

function loadJsQR() {
  if (!jsQRLoading) {
    jsQRLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL("vendor/jsQR.js", import.meta.url).href;
      script.onload = () => resolve(window.jsQR);
      script.onerror = () => reject(new Error("jsQR failed to load"));
      document.head.append(script);
    });
  }
  return jsQRLoading;
}

async function detector() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const native = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => (await native.detect(video))[0]?.rawValue ?? null;
      }
    } catch {
      // Fall through to jsQR.
    }
  }
  const jsQR = await loadJsQR();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return null;
    // Decode a frame at most 640 px wide: fast enough on a phone, sharp enough for a badge.
    const scale = Math.min(1, 640 / width);
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" })?.data ?? null;
  };
}

/** Starts the camera into `video` and calls `onCode(text)` for every decoded frame. Returns
 * a function that stops it. Rejects when there is no camera or permission is refused. */
export async function startScanner(video, onCode) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } },
    audio: false,
  });
  video.srcObject = stream;
  video.setAttribute("playsinline", "");
  video.muted = true;
  await video.play();
  const decode = await detector();
  let running = true;
  const tick = async () => {
    if (!running) return;
    try {
      const text = await decode(video);
      if (text) onCode(text);
    } catch {
      // A frame that fails to decode is just the next frame's turn.
    }
    if (running) setTimeout(tick, 120);
  };
  tick();
  return () => {
    running = false;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
}
