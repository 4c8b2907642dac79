// A delegate's QR code as an image. The API serves it only with the delegate's token in a
// header, so it is fetched and shown through a blob URL (`img-src blob:` in the page's CSP).

let lastUrl = null;

/** Loads the delegate's QR code into `img`; resolves when the image is shown. */
export async function showDelegateQr(img, delegateToken) {
  const response = await fetch("/api/v1/delegate/registration/qr.svg", {
    headers: { "X-Delegate-Token": delegateToken },
  });
  if (!response.ok) throw new Error(`QR code: HTTP ${response.status}`);
  const blob = await response.blob();
  if (lastUrl) URL.revokeObjectURL(lastUrl);
  lastUrl = URL.createObjectURL(blob);
  await new Promise((resolve, reject) => {
    img.onload = resolve;
    img.onerror = reject;
    img.src = lastUrl;
  });
}

/** The delegate's private page for a token: `/delegate#token=…`, as the emails build it. */
export function delegateLink(token) {
  return `${location.origin}/delegate#token=${encodeURIComponent(token)}`;
}
