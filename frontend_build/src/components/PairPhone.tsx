import { useEffect, useRef, useState } from "react";
import QRCode from "qrcode";
import { describeError, type AccountClient, type PairingCreated } from "../lib/account";
import { timeLeft } from "../lib/pairing";

/**
 * "Pair a phone": a single-use code as a QR code (drawn here, nothing fetched) that opens
 * this studio's capture page on the phone. Its stream then appears under Watch.
 */
export function PairPhone({ client }: { client: AccountClient }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [pairing, setPairing] = useState<PairingCreated | null>(null);
  const [image, setImage] = useState("");
  const [error, setError] = useState("");
  const [, tick] = useState(0);

  const newCode = () => {
    setError("");
    client.createPairing().then(
      (made) => {
        setPairing(made);
        QRCode.toDataURL(made.url, { margin: 1, width: 256, errorCorrectionLevel: "M" }).then(setImage, (e) =>
          setError(String(e)),
        );
      },
      (e: unknown) => setError(describeError(e)),
    );
  };
  const open = () => {
    dialog.current?.showModal();
    newCode();
  };

  useEffect(() => {
    if (!pairing) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [pairing]);
  const left = pairing ? timeLeft(pairing.expires_at) : "";
  const expired = left === "0:00";

  return (
    <>
      <button type="button" className="btn" data-testid="pair-phone" onClick={open}>
        Pair a phone
      </button>
      <dialog
        ref={dialog}
        className="card pair-dialog"
        aria-labelledby="pair-title"
        data-testid="pair-dialog"
        onClose={() => setPairing(null)}
      >
        <h2 id="pair-title">Pair a phone</h2>
        <p>
          Scan this with the phone&apos;s camera (same Wi-Fi). It opens the phone&apos;s camera here; its
          stream appears under Watch.
        </p>
        {error && (
          <p className="tile-error" role="alert">
            {error}
          </p>
        )}
        {pairing && (
          <>
            {image && !expired && (
              <img
                className="pair-qr"
                src={image}
                width={256}
                height={256}
                alt={`QR code for ${pairing.url}`}
              />
            )}
            <p>
              Code <strong data-testid="pair-code">{pairing.code}</strong> ·{" "}
              <span data-testid="pair-expires">{expired ? "expired" : `valid for ${left}, once`}</span>
            </p>
            <p className="pair-url">
              <a href={pairing.url} data-testid="pair-url" target="_blank" rel="noreferrer">
                {pairing.url}
              </a>
            </p>
            {!pairing.secure && (
              <p className="banner" role="status" data-testid="pair-insecure">
                This address is plain http: a phone&apos;s browser will refuse its camera there. Start the
                studio with <code>posestudio serve --https --host 0.0.0.0</code>.
              </p>
            )}
            {pairing.secure && (
              <p className="muted">
                First time on this phone? It must trust this studio&apos;s certificate:{" "}
                <a href="/api/pairing/ca.pem">download it</a> and install it (iOS: Settings → General → VPN
                &amp; Device Management, then Certificate Trust Settings; Android: Settings → Security →
                Install a certificate → CA certificate). See README, &quot;Pair a phone&quot;.
              </p>
            )}
          </>
        )}
        <div className="pair-actions">
          <button type="button" className="btn" onClick={newCode}>
            New code
          </button>
          <button type="button" className="btn btn-primary" onClick={() => dialog.current?.close()}>
            Done
          </button>
        </div>
      </dialog>
    </>
  );
}
